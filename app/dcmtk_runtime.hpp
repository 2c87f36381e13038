#pragma once
// DCMTK's process-wide settings, made once at start-up.
namespace rtpof::app {

// Fails with a clear message when the data dictionary is missing (Debian keeps it outside the
// library); turns Nagle off for DCMTK's sockets (TCP_NODELAY; ~30x faster on loopback); stops DCMTK
// from resolving peer names.
void initialise_dcmtk();

}  // namespace rtpof::app
