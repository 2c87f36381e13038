#pragma once
// A DCMTK codec that decodes JPEG 2000 (1.2.840.10008.1.2.4.90 lossless, .91 lossy) pixel data.
// DCMTK 3.6.7 has none (OFFIS sells DCMJP2K); GDCM, which Debian's ITK is already built on, wraps
// OpenJPEG with the handling of DICOM's quirks (a JP2 header where a bare codestream belongs, signed
// data), so the codestream of each frame is handed to GDCM's decoder and the rest is DCMTK's.
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
