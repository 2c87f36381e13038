#pragma once
// DICOM UID syntax (PS3.5 9.1). Store paths are built from UIDs only, so this check is what keeps a
// peer-supplied string from ever naming a file outside the store.
#include <string_view>

namespace rtpof::storage {

// True for a non-empty string of at most 64 characters made of dot-separated components of digits,
// none empty and none with a leading zero (a lone "0" is allowed).
bool is_valid_uid(std::string_view uid) noexcept;

}  // namespace rtpof::storage
