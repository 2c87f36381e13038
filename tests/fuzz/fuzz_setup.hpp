#pragma once
// What every fuzz harness shares: DCMTK's dictionary and codecs once per process, DCMTK's logger
// silenced (a fuzzer prints millions of refusals), and a scratch folder of the process's own.
#include <string>

namespace rtpof::fuzz {

void initialise_once();
std::string scratch_dir();  // created on first use, below $TMPDIR; removed at exit

}  // namespace rtpof::fuzz
