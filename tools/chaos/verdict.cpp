#include "tools/chaos/verdict.hpp"

#include <filesystem>
#include <set>

#include "tools/chaos/marked_pages.hpp"
#include "tools/chaos/spool_checks.hpp"

namespace faxemu::chaos {

namespace {

struct Copy {
    std::int64_t fax = 0;
    bool excused = false;  // the last whole page of a reception a kill cut short
};

bool final_state(const std::string& s) {
    return s == "completed" || s == "failed" || s == "retries_exceeded" || s == "cancelled";
}

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

}  // namespace

Verdict judge(const std::vector<Submission>& submissions, const std::vector<SeenReception>& seen,
              const SettledState& state) {
    Verdict v;
    auto problem = [&](std::string text) { v.problems.push_back(std::move(text)); };

    // What the receiving side holds: every marked page, where.
    std::map<PageMark, std::vector<Copy>> copies;
    std::map<std::string, int> calls_by_tsid;
    std::map<std::int64_t, json> fax_by_id;
    for (const json& fax : state.received) {
        const std::int64_t id = num(fax, "id");
        fax_by_id[id] = fax;
        ++v.receptions;
        ++calls_by_tsid[str(fax, "remote_ident")];
        if (num(fax, "pages") == 0) continue;
        auto file = state.files.find(id);
        if (file == state.files.end() || !std::filesystem::exists(file->second)) {
            ++v.lost;
            problem("received fax " + std::to_string(id) + " has " +
                    std::to_string(num(fax, "pages")) + " page(s) but no file");
            continue;
        }
        std::vector<std::optional<PageMark>> marks;
        try {
            marks = read_marks(file->second);
        } catch (const std::exception& e) {
            ++v.lost;
            problem("received fax " + std::to_string(id) + ": unreadable: " + e.what());
            continue;
        }
        if (static_cast<std::int64_t>(marks.size()) != num(fax, "pages"))
            problem("received fax " + std::to_string(id) + ": " +
                    std::to_string(num(fax, "pages")) + " page(s) listed, " +
                    std::to_string(marks.size()) + " in its file");
        const bool interrupted = str(fax, "cause").find("interrupted") != std::string::npos;
        for (std::size_t i = 0; i < marks.size(); ++i) {
            if (!marks[i]) {
                problem("received fax " + std::to_string(id) + " page " + std::to_string(i + 1) +
                        ": not a page the trial sent (mark unreadable)");
                continue;
            }
            copies[*marks[i]].push_back({id, interrupted && i + 1 == marks.size()});
            ++v.pages_received;
        }
    }

    int total_attempts = 0;
    std::set<std::int64_t> judged;
    for (const Submission& sub : submissions) {
        const json* job = nullptr;
        for (const json& j : state.jobs)
            if (str(j, "tsid") == sub.tsid) job = &j;
        if (sub.acknowledged) ++v.jobs;
        const std::string name = "job " + std::to_string(sub.job_id) + " (" + sub.tsid + ")";
        if (!job) {
            if (sub.acknowledged) {
                ++v.lost;
                problem(name + ": acknowledged but not in the job list");
            }
            continue;
        }
        if (sub.acknowledged && num(*job, "job_id") != sub.job_id) {
            ++v.lost;
            problem(name + ": the job list has it as job " + std::to_string(num(*job, "job_id")));
        }
        judged.insert(num(*job, "job_id"));
        const std::string shown = "job " + std::to_string(num(*job, "job_id")) + " (" + sub.tsid +
                                  ", " + std::to_string(sub.pages) + " page(s))";

        std::string missing;
        bool duplicated = false;
        for (std::int32_t p = 1; p <= sub.pages; ++p) {
            auto it = copies.find({sub.mark, static_cast<std::uint32_t>(p)});
            if (it == copies.end()) {
                missing += (missing.empty() ? "" : ",") + std::to_string(p);
                continue;
            }
            int unexcused = 0;
            std::string where;
            for (const Copy& c : it->second) {
                unexcused += !c.excused;
                where += (where.empty() ? "" : ", ") + std::string("fax ") + std::to_string(c.fax);
            }
            if (it->second.size() > 1 && unexcused > 1) {
                duplicated = true;
                problem(shown + ": page " + std::to_string(p) + " received " +
                        std::to_string(it->second.size()) + " times (" + where + ")");
            }
        }
        if (duplicated) ++v.duplicated;
        const bool delivered = missing.empty();
        const std::string st = str(*job, "state");
        const std::string why = str(*job, "last_error");
        if (st == "completed" && !delivered) {
            ++v.lost;
            problem(shown + ": completed, but the receiver lacks page(s) " + missing);
        } else if ((st == "failed" || st == "retries_exceeded" || st == "cancelled") && delivered) {
            ++v.false_failures;
            problem(shown + ": " + st + " (" + why + ") although the receiver has every page");
        } else if (!final_state(st)) {
            ++v.unsettled;
            problem(shown + ": still " + st + " when the trial ended");
        } else if (st != "completed") {
            problem(shown + ": " + st + " (" + why + "), receiver lacks page(s) " + missing +
                    " (truthful)");
        }

        const json attempts = job->value("attempts_list", json::array());
        total_attempts += static_cast<int>(attempts.size());
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            if (num(attempts[i], "number") != static_cast<std::int64_t>(i + 1))
                problem(shown + ": attempt " + std::to_string(i + 1) + " is numbered " +
                        std::to_string(num(attempts[i], "number")));
            if (attempts[i].value("interrupted", false) && final_state(st)) {
                ++v.unsettled;
                problem(shown + ": attempt " + std::to_string(i + 1) +
                        " left open (no end) though the job is " + st);
            }
        }
        const int calls = calls_by_tsid[sub.tsid];
        if (calls > static_cast<int>(attempts.size())) {
            ++v.unrecorded_calls;
            problem(shown + ": the receiver saw " + std::to_string(calls) +
                    " call(s), the job records " + std::to_string(attempts.size()) + " attempt(s)");
        }
    }
    // Calls whose sender could not be told (no TSID exchanged): at least as many
    // attempts as calls overall.
    if (static_cast<int>(state.received.size()) > total_attempts) {
        ++v.unrecorded_calls;
        problem("the receivers saw " + std::to_string(state.received.size()) +
                " call(s), the jobs record " + std::to_string(total_attempts) + " attempt(s)");
    }

    for (const SeenReception& s : seen) {
        ++v.receptions_rechecked;
        auto it = fax_by_id.find(s.id);
        if (it == fax_by_id.end()) {
            ++v.lost;
            problem("received fax " + std::to_string(s.id) + ": completed before a kill, now gone");
            continue;
        }
        const std::uint64_t now = file_hash(s.file);
        if (str(it->second, "status") != "completed" || now != s.hash) {
            ++v.lost;
            problem("received fax " + std::to_string(s.id) + ": completed before a kill, now " +
                    str(it->second, "status") + (now != s.hash ? ", file changed or gone" : ""));
        }
    }

    // The routing folder: one copy of each received fax with pages.
    std::map<std::int64_t, int> folder_copies;
    for (const std::string& name : state.inbox) {
        if (!name.starts_with("fax-")) continue;
        folder_copies[std::stoll(name.substr(4))]++;
    }
    for (const auto& [id, fax] : fax_by_id) {
        if (num(fax, "pages") == 0) continue;
        const json routing = fax.value("routing", json::array());
        bool routed = true;
        for (const json& r : routing) routed = routed && r.value("done", false);
        const int n = folder_copies[id];
        if (routing.empty() && n == 0) {
            // Every receiving port routes into the folder: no outcome means never routed.
            ++v.lost;
            problem("received fax " + std::to_string(id) + " (" + str(fax, "status") +
                    "): never routed (no routing outcome recorded), not in the routing folder");
            continue;
        }
        if (n > 1) {
            ++v.duplicated;
            problem("received fax " + std::to_string(id) + ": " + std::to_string(n) +
                    " copies in the routing folder");
        } else if (routed && n == 0) {
            ++v.lost;
            problem("received fax " + std::to_string(id) +
                    ": routed, but not in the routing folder");
        } else if (!routed) {
            ++v.unsettled;
            problem("received fax " + std::to_string(id) + ": routing not done");
        }
    }
    return v;
}

}  // namespace faxemu::chaos
