#include "tests/fuzz/fuzz_setup.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

#include "storage/dicom_codecs.hpp"

namespace rtpof::fuzz {

void initialise_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!dcmDataDict.isDictionaryLoaded()) throw std::runtime_error("DICOM data dictionary not loaded");
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    storage::register_dicom_decoders();  // every codec the node decodes, JPEG 2000 included
  });
}

std::string scratch_dir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/rtpof-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot make a scratch folder");
    static const std::string keep = pattern;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(keep, ignored);
    });
    return pattern;
  }();
  return dir;
}

}  // namespace rtpof::fuzz
