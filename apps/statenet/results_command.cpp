// `statenet results`: the comparison table of several training runs (their results.json),
// as Markdown, for docs/results.md — a thin command over src/results/results_table.h.

#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "results/results_table.h"

namespace statenet {

void add_results_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("results", "Compare training runs: one Markdown row per run directory (results.json), or per comma-joined group of them");
  auto dirs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("runs", *dirs,
                  "Run directories written by 'statenet train'; 'a,b' pools the seeds of directories a and b "
                  "(one model, different seeds) into one row")
      ->required();
  cmd->callback([=] {
    // Every row is made before anything is printed: a bad results.json is one error line, not
    // half a table.
    std::string table = results_table_header();
    for (const auto& spec : *dirs) {
      std::vector<std::string> group;
      for (std::size_t begin = 0;;) {
        const std::size_t comma = spec.find(',', begin);
        group.push_back(spec.substr(begin, comma - begin));
        if (comma == std::string::npos) break;
        begin = comma + 1;
      }
      table += results_table_row(group);
    }
    std::printf("%s", table.c_str());
  });
}

}  // namespace statenet
