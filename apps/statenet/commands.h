#pragma once
#include <CLI/CLI.hpp>

namespace statenet {
// Each registers its subcommand on `app`; the callback runs the command and throws
// std::exception with a one-line message on failure.
void add_cochleagram_command(CLI::App& app);
void add_presets_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_results_command(CLI::App& app);
void add_benchmark_command(CLI::App& app);  // `benchmark`: a grid of `train` runs and its table
void add_stream_command(CLI::App& app);      // `stream` and `devices`
void add_loop_test_command(CLI::App& app);   // `loop-test` (and its hidden subscriber)
void add_train_command(CLI::App& app);      // `train` and `eval` (LibTorch builds only)
void add_interpret_command(CLI::App& app);   // LibTorch builds only
void add_similarity_command(CLI::App& app);  // LibTorch builds only
// Subcommands of `data`, each in its own file.
void add_data_plot_command(CLI::App& data);
void add_data_simulate_command(CLI::App& data);
}  // namespace statenet
