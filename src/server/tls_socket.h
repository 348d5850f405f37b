// A TLS server connection driven by readiness: OpenSSL reads and writes the non-blocking socket
// itself (SSL_set_fd) and the connection waits for the socket to become readable or writable.
// Unlike asio::ssl::stream it holds no record buffers of its own, and with
// SSL_MODE_RELEASE_BUFFERS OpenSSL frees its buffers while the connection is idle, so ten
// thousand idle devices cost little memory. All calls must come from the socket's strand; at
// most one read and one write may be outstanding.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

namespace vigil::server {

class TlsSocket {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using IoHandler = std::function<void(const boost::system::error_code&, size_t)>;
  using Handler = std::function<void(const boost::system::error_code&)>;

  // Takes the accepted socket; `ctx` is the server context (client certificates and all).
  TlsSocket(Socket socket, SSL_CTX* ctx);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  void AsyncHandshake(Handler handler);
  // Reads at least one byte of application data (or fails; end of stream is asio::error::eof).
  void AsyncReadSome(boost::asio::mutable_buffer buffer, IoHandler handler);
  // Writes all of `buffer`, which must stay alive until the handler runs.
  void AsyncWrite(boost::asio::const_buffer buffer, IoHandler handler);
  // Sends close_notify without waiting for the peer's, then closes the socket.
  void Close();

  SSL* native_handle() { return ssl_; }
  Socket& socket() { return socket_; }
  Socket::executor_type get_executor() { return socket_.get_executor(); }

 private:
  // What SSL_get_error said, as an action.
  enum class Next { kDone, kWaitRead, kWaitWrite, kFailed };
  Next Classify(int result, boost::system::error_code& ec);
  void ContinueWrite(boost::asio::const_buffer buffer, size_t written, IoHandler handler);

  Socket socket_;
  SSL* ssl_;
};

}  // namespace vigil::server
