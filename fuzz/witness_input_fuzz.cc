// libFuzzer target: what reaches a witness (add-checkpoint bodies) and what a hub reads back
// from one (cosignature lines, witness keys, size answers) must never crash a parser; a parsed
// request renders back to the same bytes, and no line verifies as a cosignature by a key that
// did not make it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ledger/checkpoint.h"
#include "witness/add_checkpoint.h"
#include "witness/cosignature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (auto request = vigil::witness::ParseAddCheckpoint(input);
      request.ok() && vigil::witness::RenderAddCheckpoint(*request) != input) {
    abort();
  }
  (void)vigil::witness::ParseCosignerVerifierKey(input);
  (void)vigil::ledger::SplitNote(input);
  static const vigil::witness::Cosigner kWitness = *vigil::witness::ParseCosignerVerifierKey(
      vigil::witness::CosignerVerifierKey("w.example/w1", std::string(32, '\x01')));
  if (vigil::witness::VerifyCosignature("o\n1\nAAAA\n", input, kWitness).ok()) abort();
  return 0;
}
