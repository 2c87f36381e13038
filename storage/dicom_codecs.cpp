#include "storage/dicom_codecs.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include "storage/jpeg2000_decoder.hpp"

namespace rtpof::storage {
namespace {

struct Registration {
  Registration() {
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    DcmCodecList::registerCodec(&jpeg2000, nullptr, &jpeg2000_parameter);
  }
  ~Registration() {
    DcmCodecList::deregisterCodec(&jpeg2000);
    DcmRLEDecoderRegistration::cleanup();
    DJLSDecoderRegistration::cleanup();
    DJDecoderRegistration::cleanup();
  }
  Jpeg2000Decoder jpeg2000;
  Jpeg2000DecoderParameter jpeg2000_parameter;
};

}  // namespace

void register_dicom_decoders() {
  static Registration registration;
}

}  // namespace rtpof::storage
