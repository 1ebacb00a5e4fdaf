// statenet: sound → cochleagram → predicted firing of auditory neurons.
// Every command prints one clear line and exits non-zero on failure.

#include <cstdio>
#include <exception>

#include "commands.h"
#include "util/allocator.h"

int main(int argc, char** argv) {
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
  statenet::add_stream_command(app);
  statenet::add_loop_test_command(app);
#ifdef STATENET_WITH_TRAINING
  statenet::add_train_command(app);
  statenet::add_interpret_command(app);
  statenet::add_similarity_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "statenet: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
