// The layers' boundaries: every #include "<folder>/..." in a layer's sources must follow an arrow that
// docs/architecture.md allows (its ```arrows block, the one place they are written). Reads the sources,
// so a new forbidden include fails here even where the build's per-layer include directories would not
// see it (a header included only by another layer's header).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;

// layer -> what it may include: a whole layer ("storage") or one header ("storage/outbox_row.hpp").
using Arrows = std::map<std::string, std::set<std::string>>;

// The ```arrows block: one line per layer, "layer -> target target ...".
Arrows arrows_in(const std::string& markdown) {
  Arrows arrows;
  const auto start = markdown.find("```arrows\n");
  if (start == std::string::npos) return arrows;
  const auto end = markdown.find("```", start + 10);
  std::istringstream block(markdown.substr(start + 10, end - start - 10));
  std::string line;
  while (std::getline(block, line)) {
    std::istringstream words(line);
    std::string layer, arrow, target;
    if (!(words >> layer >> arrow) || arrow != "->") continue;
    auto& allowed = arrows[layer];
    while (words >> target) allowed.insert(target);
  }
  return arrows;
}

// The project includes ("folder/name.hpp") of one source file.
std::vector<std::string> includes_of(const std::string& source) {
  static const std::regex include_line(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<std::string> headers;
  std::istringstream lines(source);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line))
    if (std::regex_search(line, match, include_line)) headers.push_back(match[1]);
  return headers;
}

// Every include of `layer`'s file that no arrow allows, as "file -> header".
std::vector<std::string> violations(const Arrows& arrows, const std::string& layer, const std::string& file,
                                    const std::vector<std::string>& headers) {
  std::vector<std::string> found;
  for (const std::string& header : headers) {
    const auto slash = header.find('/');
    if (slash == std::string::npos) continue;  // generated (rtpof_version.hpp) or system-like
    const std::string target = header.substr(0, slash);
    if (target == layer || arrows.count(target) == 0) continue;  // own layer, or not a layer (a library's path)
    const auto& allowed = arrows.at(layer);
    if (allowed.count(target) == 0 && allowed.count(header) == 0) found.push_back(file + " -> " + header);
  }
  return found;
}

bool is_source(const fs::path& file) {
  return file.extension() == ".cpp" || file.extension() == ".hpp" || file.extension() == ".in";
}

TEST(LayerBoundaries, EveryIncludeFollowsAnArrowOfDocsArchitecture) {
  const fs::path root = source_dir();
  const Arrows arrows = arrows_in(read_text(root / "docs/architecture.md"));
  ASSERT_GE(arrows.size(), 9u) << "docs/architecture.md has no ```arrows block with every layer";
  std::vector<std::string> found;
  std::size_t files = 0, checked = 0;
  for (const auto& [layer, allowed] : arrows) {
    ASSERT_TRUE(fs::is_directory(root / layer)) << "the arrows name a layer without a folder: " << layer;
    for (const auto& entry : fs::recursive_directory_iterator(root / layer)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      ++files;
      const auto headers = includes_of(read_text(entry.path()));
      checked += headers.size();
      const auto bad = violations(arrows, layer, fs::relative(entry.path(), root).string(), headers);
      found.insert(found.end(), bad.begin(), bad.end());
    }
  }
  EXPECT_GT(files, 150u);
  EXPECT_GT(checked, 300u);
  std::string list;
  for (const auto& v : found) list += "\n  " + v;
  EXPECT_TRUE(found.empty()) << "includes against the arrows of docs/architecture.md:" << list;
}

TEST(LayerBoundaries, EveryFolderWithSourcesIsALayerOrTests) {
  const fs::path root = source_dir();
  const Arrows arrows = arrows_in(read_text(root / "docs/architecture.md"));
  const std::set<std::string> not_layers = {"tests", "bench", "docs", "scripts", "systemd", ".ci", ".git"};
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || not_layers.count(name) || name.rfind("build", 0) == 0) continue;
    bool has_sources = false;
    for (const auto& file : fs::recursive_directory_iterator(entry.path()))
      if (file.is_regular_file() && (file.path().extension() == ".cpp" || file.path().extension() == ".hpp"))
        has_sources = true;
    if (has_sources) {
      EXPECT_EQ(arrows.count(name), 1u) << name << "/ holds sources but is no layer in docs/architecture.md";
    }
  }
}

// The checker itself: an arrow against the flow, a header outside an allowed one, and the allowed ones.
TEST(LayerBoundaries, TheCheckerFindsAForbiddenInclude) {
  const Arrows arrows = arrows_in("x\n```arrows\nstorage ->\nrules -> storage/indexed_row.hpp\njobs -> storage rules\n```\n");
  ASSERT_EQ(arrows.size(), 3u);
  const auto headers = includes_of("#include <vector>\n#include \"jobs/job_runner.hpp\"\n  # include \"rules/x.hpp\"\n");
  EXPECT_EQ(violations(arrows, "storage", "storage/a.cpp", headers),
            (std::vector<std::string>{"storage/a.cpp -> jobs/job_runner.hpp", "storage/a.cpp -> rules/x.hpp"}));
  EXPECT_EQ(violations(arrows, "rules", "rules/a.cpp", {"storage/index.hpp", "storage/indexed_row.hpp"}),
            (std::vector<std::string>{"rules/a.cpp -> storage/index.hpp"}));
  EXPECT_TRUE(violations(arrows, "jobs", "jobs/a.cpp", {"storage/index.hpp", "rules/x.hpp", "jobs/y.hpp",
                                                        "nlohmann/json.hpp", "rtpof_version.hpp"}).empty());
}

}  // namespace
}  // namespace rtpof::testing
