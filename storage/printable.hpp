#pragma once
// Peer-supplied text (AE titles, UIDs, ROI names, Modality…) on its way into a log line or a terminal:
// control characters and bytes outside printable ASCII are escaped as \xNN, so that a newline cannot
// forge a log line and an ANSI escape cannot drive the operator's terminal. Trailing spaces (DICOM
// padding) are dropped, and the text ends at an embedded NUL, which is shown as \x00.
#include <string>
#include <string_view>

namespace rtpof::storage {

std::string printable(std::string_view text);

}  // namespace rtpof::storage
