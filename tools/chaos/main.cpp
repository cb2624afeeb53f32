// faxemu-chaos: kill -9 trials against faxd. `tools/run chaos [TRIALS]`.
// Each trial starts the real faxd on simulated ports with a fresh spool,
// submits jobs, kills faxd with SIGKILL at a chosen instant (after a submit,
// while dialling, mid-page, between pages, after the last page, after a
// reception, during routing, at random), restarts it on the same spool, and
// checks what it finds once faxd has settled. Ends with one line
// `T trials, J jobs, L lost, D duplicated, F false failures`; exits 1 when
// any of those or another check failed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <random>

#include "tools/chaos/trial.hpp"

using namespace faxemu::chaos;

namespace {

// A trial's seed from the run's seed, so `--seed S --only N` replays trial N.
std::uint64_t trial_seed(std::uint64_t seed, int trial) {
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(trial)};
    std::uint32_t parts[2];
    seq.generate(parts, parts + 2);
    return (static_cast<std::uint64_t>(parts[0]) << 32) | parts[1];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faxemu-chaos: kill -9 trials against faxd"};
    int trials = 10;
    std::uint64_t seed = std::random_device{}();
    int only = 0;
    TrialOptions o;
    o.faxd = FAXEMU_FAXD;
    o.work = std::filesystem::temp_directory_path();
    app.add_option("trials", trials, "number of trials (default 10)")->check(CLI::PositiveNumber);
    app.add_option("--seed", seed, "seed of the run (printed at the start; default: random)");
    app.add_option("--only", only, "run only trial N of the run (to replay it with --seed)");
    app.add_option("--faxd", o.faxd, "the faxd binary")->check(CLI::ExistingFile);
    app.add_option("--speed", o.speed, "line speed, times real time (default 20)")
        ->check(CLI::Range(1.0, 1000.0));
    app.add_option("--work", o.work, "where the trials' temporary folders go (default: $TMPDIR)");
    app.add_flag("--keep", o.keep, "keep every trial's folder (spool, faxd logs)");
    CLI11_PARSE(app, argc, argv);

    std::printf("chaos: seed %llu, %d trial(s), faxd %s\n", static_cast<unsigned long long>(seed),
                trials, o.faxd.c_str());
    std::fflush(stdout);
    int ran = 0, jobs = 0, lost = 0, duplicated = 0, false_failures = 0;
    std::vector<std::string> other;  // failed checks beyond L, D, F
    for (int t = 1; t <= trials; ++t) {
        if (only && t != only) continue;
        ++ran;
        TrialReport r;
        try {
            r = run_trial(t, trial_seed(seed, t), o);
        } catch (const std::exception& e) {
            r.failures.push_back(std::string("trial aborted: ") + e.what());
        }
        const Verdict& v = r.verdict;
        jobs += v.jobs;
        lost += v.lost;
        duplicated += v.duplicated;
        false_failures += v.false_failures;
        const bool bad = v.lost || v.duplicated || v.false_failures || v.unsettled ||
                         v.unrecorded_calls || !r.failures.empty();
        std::printf(
            "trial %d: %d job(s), %zu kill(s), %d reception(s) holding %d page(s), %d rechecked "
            "after a kill, %.1f s: %s\n",
            t, v.jobs, r.kills.size(), v.receptions, v.pages_received, v.receptions_rechecked,
            r.seconds, bad ? "FAILED" : "ok");
        for (const auto& k : r.kills) std::printf("  kill: %s\n", k.c_str());
        for (const auto& p : v.problems) std::printf("  %s\n", p.c_str());
        for (const auto& f : r.failures) std::printf("  FAILED: %s\n", f.c_str());
        if (v.unsettled)
            other.push_back("trial " + std::to_string(t) + ": " + std::to_string(v.unsettled) +
                            " unsettled");
        if (v.unrecorded_calls)
            other.push_back("trial " + std::to_string(t) + ": " +
                            std::to_string(v.unrecorded_calls) +
                            " call(s) not recorded as attempts");
        for (const auto& f : r.failures) other.push_back("trial " + std::to_string(t) + ": " + f);
        if (bad || o.keep)
            std::printf("  folder kept: %s (replay: --seed %llu --only %d)\n", r.folder.c_str(),
                        static_cast<unsigned long long>(seed), t);
        else if (!r.folder.empty())
            std::filesystem::remove_all(r.folder);
        std::fflush(stdout);
    }
    std::printf("%d trials, %d jobs, %d lost, %d duplicated, %d false failures\n", ran, jobs, lost,
                duplicated, false_failures);
    for (const auto& f : other) std::printf("also failed: %s\n", f.c_str());
    const bool failed = lost || duplicated || false_failures || !other.empty();
    if (failed)
        std::printf("chaos: FAILED (replay with --seed %llu)\n",
                    static_cast<unsigned long long>(seed));
    return failed ? 1 : 0;
}
