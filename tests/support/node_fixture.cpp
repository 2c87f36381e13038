#include "tests/support/node_fixture.hpp"

#include <fstream>

#include "storage/content_hash.hpp"

namespace fs = std::filesystem;

namespace rtpof::testing {

phantom::PlanningFiles NodeFixture::make_phantom(const phantom::PhantomSpec& spec, const std::string& name) {
  return phantom::write_planning_objects(spec, source_ / name);
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
                                const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"storescu", "-aec", "RTPOF", "-aet", calling_ae, "+sd", "-to", "30"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"127.0.0.1", std::to_string(node_->port()), dir.string()});
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
