#pragma once
// DCMTK's process-wide settings, made once at start-up.
namespace rtpof::app {

// Fails with a clear message when the data dictionary is missing (Debian keeps it outside the
// library); turns Nagle off for DCMTK's sockets (TCP_NODELAY; ~30x faster on loopback); stops DCMTK
// from resolving peer names.
void initialise_dcmtk();

// For the offline commands: DCMTK's parser complaints about files that are not DICOM (counted and
// reported by the command itself) stay out of the output.
void quiet_dcmtk_parser();

}  // namespace rtpof::app
