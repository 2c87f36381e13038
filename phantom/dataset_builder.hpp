#pragma once
// Small helpers over DCMTK's DcmItem for writing datasets: every put checks its result, so a writer
// never produces a file silently missing an attribute.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::phantom {

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value);
void put_numbers(DcmItem& item, const DcmTagKey& tag, const std::vector<double>& values);
void put_u16(DcmItem& item, const DcmTagKey& tag, Uint16 value);
void put_tag(DcmItem& item, const DcmTagKey& tag, const DcmTagKey& value);  // AT
// Appends a new item to the sequence `tag` (created when absent) and returns it.
DcmItem& add_item(DcmItem& item, const DcmTagKey& sequence);
// "%.6g"-style decimal string within DS's 16 characters.
std::string decimal(double value);

void save_part10(DcmFileFormat& file, const std::filesystem::path& path);

}  // namespace rtpof::phantom
