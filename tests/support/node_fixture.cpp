#include "tests/support/node_fixture.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/content_hash.hpp"

namespace fs = std::filesystem;

namespace rtpof::testing {

namespace {

void name_the_canary(phantom::PhantomSpec& spec, const std::string& tag) {
  if (spec.patient_name.empty()) spec.patient_name = "CANARY^PHI";
  if (spec.patient_id.empty()) spec.patient_id = "CANARYID-" + tag;
}

}  // namespace

void NodeFixture::TearDown() {
  const fs::path log_file = data_ / "node.log";
  if (!fs::exists(log_file)) return;
  std::istringstream lines(read_text(log_file));
  for (std::string line; std::getline(lines, line);) {
    const bool below_info = line.find(" debug ") != std::string::npos || line.find(" trace ") != std::string::npos ||
                            line.find("\"level\":\"debug\"") != std::string::npos ||
                            line.find("\"level\":\"trace\"") != std::string::npos;
    if (!below_info && line.find("CANARY") != std::string::npos) ADD_FAILURE() << "PHI in the node's log: " << line;
  }
}

phantom::PlanningFiles NodeFixture::make_phantom(const phantom::PhantomSpec& spec, const std::string& name) {
  phantom::PhantomSpec named = spec;
  name_the_canary(named, name + "-" + std::to_string(spec.seed));
  return phantom::write_planning_objects(named, source_ / name);
}

fs::path NodeFixture::write_config(const std::string& toml) {
  const fs::path file = data_ / "rtpof.toml";
  std::ofstream(file) << toml;
  return file;
}

void NodeFixture::start_node(std::vector<std::string> extra) {
  const int port = free_port();
  std::vector<std::string> args = {"--data-dir", data_dir().string()};
  args.insert(args.end(), extra.begin(), extra.end());
  node_ = std::make_unique<NodeProcess>(args, data_ / "node.log", port);
  ASSERT_TRUE(node_->wait_until_ready()) << "node did not start:\n" << node_->log();
}

RunResult NodeFixture::storescu(const fs::path& dir, const std::string& calling_ae,
                                const std::vector<std::string>& extra, int port) {
  std::vector<std::string> argv = {"storescu", "-aec", "RTPOF", "-aet", calling_ae, "+sd", "-to", "30"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"127.0.0.1", std::to_string(port != 0 ? port : node_->port()), dir.string()});
  return run(argv);
}

std::map<std::string, std::string> NodeFixture::stored_datasets() const {
  std::map<std::string, std::string> out;
  const fs::path store = data_dir() / "store";
  for (auto it = fs::recursive_directory_iterator(store); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename().string().front() == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".dcm")
      out[it->path().stem().string()] = storage::dataset_sha256(it->path());
  }
  return out;
}

std::size_t NodeFixture::count_files(const fs::path& dir) const {
  std::size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

phantom::PhantomFiles NodeFixture::patient(const std::string& case_name, bool reg, std::uint64_t seed) {
  phantom::PhantomSpec spec = phantom::PhantomSpec::small(seed);
  spec.case_name = case_name;
  spec.slices = 24;
  spec.mr_slices = 20;
  spec.reg = reg;
  spec.truth_points = 2e4;
  name_the_canary(spec, case_name + "-" + std::to_string(seed));
  return phantom::write_phantom(spec, source_ / (case_name + "-" + std::to_string(seed)));
}

std::vector<fs::path> NodeFixture::patient_files(const phantom::PhantomFiles& p) {
  std::vector<fs::path> files = p.plan.ct;
  files.insert(files.end(), p.followup.mr.begin(), p.followup.mr.end());
  for (const auto& f : {p.plan.rtstruct, p.plan.rtplan, p.plan.rtdose, p.followup.recurrence}) files.push_back(f);
  if (p.followup.reg) files.push_back(*p.followup.reg);
  return files;
}

void NodeFixture::send(const std::vector<fs::path>& files, const std::string& name) {
  const fs::path dir = source_ / ("batch-" + name);
  fs::create_directories(dir);
  for (std::size_t i = 0; i < files.size(); ++i)
    fs::create_hard_link(files[i], dir / (name + "-" + std::to_string(i) + ".dcm"));
  const RunResult result = storescu(dir);
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

std::vector<storage::JobRow> NodeFixture::jobs() {
  storage::Index index(data_dir() / "index.sqlite");
  return index.cases().jobs();
}

bool NodeFixture::wait_for_done(std::size_t n, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto all = jobs();
    const auto done = std::count_if(all.begin(), all.end(), [](const storage::JobRow& j) { return j.state == "done"; });
    if (std::any_of(all.begin(), all.end(), [](const storage::JobRow& j) { return j.state == "failed"; })) return false;
    if (static_cast<std::size_t>(done) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

std::vector<fs::path> split_into(const std::vector<fs::path>& files, const fs::path& root, int n) {
  std::vector<fs::path> dirs;
  for (int i = 0; i < n; ++i) {
    dirs.push_back(root / ("part" + std::to_string(i)));
    fs::create_directories(dirs.back());
  }
  for (std::size_t i = 0; i < files.size(); ++i)
    fs::create_hard_link(files[i], dirs[i % n] / files[i].filename());
  return dirs;
}

}  // namespace rtpof::testing
