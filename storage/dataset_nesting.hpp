#pragma once
// How deeply a Part 10 file's sequences nest, measured without recursion before DCMTK parses it.
// DCMTK 3.6.7's reader recurses once per sequence and item: a C-STORE of a few hundred kilobytes
// nesting thousands of levels overflows the thread's stack and kills the node. Real objects nest a
// handful of levels (an RTSTRUCT 3, an Enhanced MR's functional groups 4, a deep SR tree 20–30).
// A leaf of its own (DCMTK's dcmdata only): the ingest path and pipeline/'s loaders both use it.
#include <cstddef>
#include <filesystem>
#include <string>

namespace rtpof::storage {

constexpr std::size_t max_sequence_nesting = 128;

struct NestingScan {
  std::size_t depth = 0;   // deepest sequence nesting seen (0: no sequence); stops counting past the limit
  bool complete = true;    // false when the scan stopped early (an encoding it does not read, a truncation);
                           // DCMTK then reports the file's problem itself
  // Set when an element or item declares more bytes than the file has left: a truncated or corrupt
  // file, refused before DCMTK allocates the declared length (up to 4 GiB) for it.
  std::string overrun;
};

// Reads the file's meta header for its transfer syntax and walks the data set's elements with an
// explicit stack, looking tags up in DCMTK's dictionary where implicit VR hides a sequence.
NestingScan scan_sequence_nesting(const std::filesystem::path& file, std::size_t stop_past = max_sequence_nesting);
// The same on bytes in memory (a Part 10 file, or a bare data set).
NestingScan scan_sequence_nesting(const unsigned char* data, std::size_t size,
                                  std::size_t stop_past = max_sequence_nesting);

}  // namespace rtpof::storage
