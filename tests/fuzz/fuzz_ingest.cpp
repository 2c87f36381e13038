// Fuzz harness: one instance's ingest path into a scratch store, as the SCP drives it after a C-STORE:
// nesting scan, parse, attribute checks, durable write, index row. A refusal is an IngestError; the
// store must never hold a file outside <pseudonym>/<study>/<series>/<uid>.dcm.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <memory>

#include "storage/archive.hpp"
#include "tests/fuzz/fuzz_setup.hpp"

namespace {

// What a C-STORE would announce for these bytes: the meta header's SOP class and instance, when any.
rtpof::storage::AnnouncedIdentity announced(const std::filesystem::path& file) {
  DcmFileFormat format;
  rtpof::storage::AnnouncedIdentity identity{"1.2.840.10008.5.1.4.1.1.481.3", "1.2.3"};
  if (format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 0, ERM_metaOnly).good()) {
    OFString value;
    if (format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, value).good()) identity.sop_class_uid = value.c_str();
    if (format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, value).good())
      identity.sop_instance_uid = value.c_str();
  }
  return identity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtpof::fuzz::initialise_once();
  static rtpof::storage::Archive archive({rtpof::fuzz::scratch_dir() + "/store"},
                                         std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>()));
  rtpof::storage::IncomingFile incoming = archive.new_incoming_file();
  {
    std::ofstream out(incoming.path(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const auto identity = announced(incoming.path());
  try {
    archive.ingest(std::move(incoming), identity, "FUZZ");
  } catch (const std::exception&) {
  }
  return 0;
}
