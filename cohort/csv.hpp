#pragma once
// CSV as RFC 4180 writes it: fields with a comma, a quote or a line break are quoted, quotes doubled;
// lines end in CRLF-free "\n" (what spreadsheet programs and pandas read alike).
#include <string>
#include <vector>

namespace rtpof::cohort {

std::string csv_field(const std::string& value);
std::string csv_line(const std::vector<std::string>& fields);
// Parses RFC 4180 text (quoted fields may hold commas, quotes and line breaks; "\r\n" or "\n" ends a
// record; a UTF-8 byte-order mark is skipped). Throws std::invalid_argument naming the line of an
// unterminated quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

}  // namespace rtpof::cohort
