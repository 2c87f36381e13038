#pragma once
// UIDs for reports under the 2.25 root (PS3.5 B.2: a UUID as one decimal integer), so a node needs no
// registered root of its own.
#include <string>
#include <string_view>

namespace rtpof::report {

// A fresh UID from a random (version 4) UUID.
std::string random_uid();

// The same UID for the same name, from a name-based (version 5, SHA-1) UUID: a study's rtpof series and
// a recurrence's tracking UID stay the same across reports.
std::string name_based_uid(std::string_view name);

}  // namespace rtpof::report
