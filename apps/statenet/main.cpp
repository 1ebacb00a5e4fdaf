// statenet: sound → cochleagram → predicted firing of auditory neurons.
// Every command prints one clear line and exits non-zero on failure.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "commands.h"
#include "supervisor.h"
#include "util/allocator.h"

int main(int argc, char** argv) {
  if (const int status = statenet::run_command_in_child(); status >= 0) {
    std::fflush(nullptr);
    std::_Exit(status);  // the parent's part is done; the libraries' static destructors would take 0.2 s
  }
  statenet::keep_freed_memory_for_reuse();  // every command is batch work or preallocates
  CLI::App app{
      "statenet: turns sound into cochleagrams and (with trained models) into the predicted\n"
      "firing of auditory neurons. Run 'statenet COMMAND --help' for a command's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "statenet 0.1.0");
  statenet::add_cochleagram_command(app);
  statenet::add_presets_command(app);
  statenet::add_demo_command(app);
  statenet::add_data_command(app);
  statenet::add_results_command(app);
  statenet::add_benchmark_command(app);
  statenet::add_stream_command(app);
  statenet::add_loop_test_command(app);
#ifdef STATENET_WITH_TRAINING
  statenet::add_train_command(app);
  statenet::add_interpret_command(app);
  statenet::add_similarity_command(app);
#endif
  // An unknown command is named (CLI11 would only say that a subcommand is required).
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      found = found || sub->check_name(argv[1]);
      if (!sub->get_group().empty()) known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::fprintf(stderr, "statenet: error: unknown command '%s' (commands: %s; see --help)\n", argv[1], known.c_str());
      return 106;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --version
    // One line, as for every other error; CLI11's own text names the option and the value.
    std::fprintf(stderr, "statenet: error: %s (see --help)\n", e.what());
    return e.get_exit_code();
  } catch (const std::exception& e) {
    // One line, whatever threw: a library's multi-line text (LibTorch appends a trace) is cut
    // at its first line, which names the problem.
    const std::string what = e.what();
    std::fprintf(stderr, "statenet: error: %s\n", what.substr(0, what.find('\n')).c_str());
    return 1;
  }
  return 0;
}
