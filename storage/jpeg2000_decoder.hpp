#pragma once
// A DCMTK codec that decodes JPEG 2000 (1.2.840.10008.1.2.4.90 lossless, .91 lossy) pixel data with
// OpenJPEG, the reference decoder Debian packages (and GDCM and ITK use). DCMTK 3.6.7 has no JPEG 2000
// codec (OFFIS sells DCMJP2K). OpenJPEG is called directly rather than through GDCM's wrapper: GDCM
// 3.0 sizes its output from the dimensions it is given but writes what the codestream holds, and leaks
// the image on a failed decode; here every size is checked and every OpenJPEG object has an owner.
// Decode only: the node never writes JPEG 2000. Internal to storage/; use storage/dicom_codecs.hpp.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>

namespace rtpof::storage {

class Jpeg2000Decoder : public DcmCodec {
 public:
  OFCondition decode(const DcmRepresentationParameter* from_parameter, DcmPixelSequence* sequence,
                     DcmPolymorphOBOW& uncompressed, const DcmCodecParameter* codec_parameter,
                     const DcmStack& stack, OFBool& remove_old_representation) const override;
  OFCondition decodeFrame(const DcmRepresentationParameter* from_parameter, DcmPixelSequence* sequence,
                          const DcmCodecParameter* codec_parameter, DcmItem* dataset, Uint32 frame,
                          Uint32& start_fragment, void* buffer, Uint32 buffer_size,
                          OFString& decompressed_color_model) const override;
  OFCondition encode(const Uint16*, const Uint32, const DcmRepresentationParameter*, DcmPixelSequence*&,
                     const DcmCodecParameter*, DcmStack&, OFBool&) const override;
  OFCondition encode(const E_TransferSyntax, const DcmRepresentationParameter*, DcmPixelSequence*,
                     const DcmRepresentationParameter*, DcmPixelSequence*&, const DcmCodecParameter*, DcmStack&,
                     OFBool&) const override;
  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override;
  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter* from_parameter,
                                              DcmPixelSequence* sequence, const DcmCodecParameter* codec_parameter,
                                              DcmItem* dataset, OFString& color_model) const override;
};

// What DcmCodecList requires beside a codec: its (empty) parameter.
class Jpeg2000DecoderParameter : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new Jpeg2000DecoderParameter(*this); }
  const char* className() const override { return "rtpof::storage::Jpeg2000DecoderParameter"; }
};

}  // namespace rtpof::storage
