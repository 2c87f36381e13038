#pragma once
#include <filesystem>
#include <string>

namespace rtpof::storage {

// SHA-256 (hex) of a Part 10 file's dataset, i.e. everything after the file meta header, so that the
// same instance sent again by another AE (whose meta header names a different source) hashes the same.
std::string dataset_sha256(const std::filesystem::path& part10_file);

// SHA-256 (hex) of what a Part 10 file's data set says, not how it is encoded: pixel data decoded,
// then written as Implicit VR Little Endian (no VRs, which differ between encodings of one value)
// with explicit lengths and no group lengths, group 0002 and Derivation Description (a lossless
// compressor's note) left out. The same instance re-sent Implicit VR, Explicit VR or losslessly compressed (JPEG-LS,
// JPEG 2000, RLE) hashes the same; one changed value does not. Throws std::runtime_error naming the
// file when it cannot be read or its pixel data cannot be decoded.
std::string canonical_content_sha256(const std::filesystem::path& part10_file);

}  // namespace rtpof::storage
