#pragma once
// The decoders for every compressed transfer syntax the node accepts, registered once per process in
// DCMTK's codec list, so that DcmDataset::chooseRepresentation() decodes any of them: DCMTK's own JPEG,
// JPEG-LS and RLE decoders, and a JPEG 2000 decoder (storage/jpeg2000_decoder.hpp) that DCMTK 3.6.7
// lacks. Ingest's content hash and pipeline/'s loaders both decode through these.

namespace rtpof::storage {

// Idempotent and thread-safe; the registration lives until the process exits.
void register_dicom_decoders();

}  // namespace rtpof::storage
