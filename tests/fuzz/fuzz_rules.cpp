// Fuzz harness: the rules file's parser and validation. A broken file must give ConfigError (or another
// exception naming the problem), never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <string>

#include "rules/node_config.hpp"
#include "tests/fuzz/fuzz_setup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string file = rtpof::fuzz::scratch_dir() + "/rules.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    rtpof::rules::load_node_config(file);
  } catch (const std::exception&) {
  }
  return 0;
}
