#include "server/tls_socket.h"

#include <openssl/err.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace vigil::server {

namespace asio = boost::asio;

TlsSocket::TlsSocket(Socket socket, SSL_CTX* ctx) : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.native_non_blocking(true, ignored);
  SSL_set_fd(ssl_, socket_.native_handle());
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read(2) takes every record that has arrived (a device streaming readings sends many
  // small records): 0.36 reads a reading instead of 2.16. Idle connections still release their
  // buffers (SSL_MODE_RELEASE_BUFFERS): an empty read-ahead buffer is freed like any other.
  SSL_set_read_ahead(ssl_, 1);
  SSL_set_accept_state(ssl_);
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

TlsSocket::Next TlsSocket::Classify(int result, boost::system::error_code& ec) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_NONE:
      return Next::kDone;
    case SSL_ERROR_WANT_READ:
      return Next::kWaitRead;
    case SSL_ERROR_WANT_WRITE:
      return Next::kWaitWrite;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;
      return Next::kFailed;
    case SSL_ERROR_SYSCALL:
      ec = errno != 0 ? boost::system::error_code(errno, boost::system::system_category())
                      : boost::system::error_code(asio::error::eof);
      ERR_clear_error();
      return Next::kFailed;
    default: {
      const unsigned long err = ERR_get_error();
      ERR_clear_error();
      ec = boost::system::error_code(static_cast<int>(err), asio::error::get_ssl_category());
      if (!ec) ec = asio::ssl::error::stream_truncated;
      return Next::kFailed;
    }
  }
}

void TlsSocket::AsyncHandshake(Handler handler) {
  ERR_clear_error();
  errno = 0;
  boost::system::error_code ec;
  switch (Classify(SSL_do_handshake(ssl_), ec)) {
    case Next::kDone:
      return handler({});
    case Next::kFailed:
      return handler(ec);
    case Next::kWaitRead:
    case Next::kWaitWrite: {
      const bool read = SSL_want_read(ssl_);
      socket_.async_wait(read ? Socket::wait_read : Socket::wait_write,
                         [this, handler = std::move(handler)](const boost::system::error_code& ec) {
                           if (ec) return handler(ec);
                           AsyncHandshake(std::move(handler));
                         });
    }
  }
}

void TlsSocket::AsyncReadSome(asio::mutable_buffer buffer, IoHandler handler) {
  ERR_clear_error();
  errno = 0;
  size_t n = 0;
  const int result = SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n);
  boost::system::error_code ec;
  switch (result == 1 ? Next::kDone : Classify(result, ec)) {
    case Next::kDone:
      // Completed at once: run the handler through the executor so a stream of buffered
      // records cannot recurse without bound.
      return asio::post(socket_.get_executor(),
                        [handler = std::move(handler), n] { handler({}, n); });
    case Next::kFailed:
      return asio::post(socket_.get_executor(),
                        [handler = std::move(handler), ec] { handler(ec, 0); });
    case Next::kWaitRead:
    case Next::kWaitWrite:
      socket_.async_wait(
          SSL_want_write(ssl_) ? Socket::wait_write : Socket::wait_read,
          [this, buffer, handler = std::move(handler)](const boost::system::error_code& ec) {
            if (ec) return handler(ec, 0);
            AsyncReadSome(buffer, std::move(handler));
          });
  }
}

void TlsSocket::AsyncWrite(asio::const_buffer buffer, IoHandler handler) {
  ContinueWrite(buffer, 0, std::move(handler));
}

void TlsSocket::ContinueWrite(asio::const_buffer buffer, size_t written, IoHandler handler) {
  while (written < buffer.size()) {
    ERR_clear_error();
    errno = 0;
    size_t n = 0;
    const int result = SSL_write_ex(ssl_, static_cast<const char*>(buffer.data()) + written,
                                    buffer.size() - written, &n);
    if (result == 1) {
      written += n;
      continue;
    }
    boost::system::error_code ec;
    const Next next = Classify(result, ec);
    if (next == Next::kFailed) {
      return asio::post(socket_.get_executor(),
                        [handler = std::move(handler), ec, written] { handler(ec, written); });
    }
    socket_.async_wait(next == Next::kWaitRead ? Socket::wait_read : Socket::wait_write,
                       [this, buffer, written,
                        handler = std::move(handler)](const boost::system::error_code& ec) mutable {
                         if (ec) return handler(ec, written);
                         ContinueWrite(buffer, written, std::move(handler));
                       });
    return;
  }
  asio::post(socket_.get_executor(),
             [handler = std::move(handler), written] { handler({}, written); });
}

void TlsSocket::Close() {
  if (socket_.is_open()) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // best effort: queues close_notify on the non-blocking socket
    ERR_clear_error();
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
}

}  // namespace vigil::server
