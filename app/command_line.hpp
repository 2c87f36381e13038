#pragma once
// A small flag parser for the subcommands: "--name value", "--name=value", repeated flags, positionals.
// Every mistake is a UsageError naming the flag; main turns it into exit code 2.
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtpof::app {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommandLine {
 public:
  // value_flags take a value; switch_flags do not. Anything else starting with "--" is an error.
  CommandLine(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
              const std::set<std::string>& switch_flags);

  bool has(const std::string& flag) const { return values_.count(flag) != 0; }
  std::optional<std::string> value(const std::string& flag) const;
  std::vector<std::string> values(const std::string& flag) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  long integer(const std::string& flag, long min, long max, long fallback) const;
  double number(const std::string& flag, double min, double max, double fallback) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace rtpof::app
