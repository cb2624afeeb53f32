// The checks of the kill -9 trials (tools/chaos): page marks survive a TIFF
// round trip, and the verdict counts lost, duplicated and falsely failed jobs
// from what the receiving side holds, not from what faxd claims.
#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "core/image_compare.hpp"
#include "tools/chaos/marked_pages.hpp"
#include "tools/chaos/spool_checks.hpp"
#include "tools/chaos/verdict.hpp"

namespace faxemu::chaos {
namespace {

namespace fs = std::filesystem;

class ChaosVerdict : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("chaos-verdict-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A received fax holding pages `from`..`to` of submission `mark`.
    json reception(std::int64_t id, std::uint32_t mark, std::uint32_t from, std::uint32_t to,
                   const std::string& tsid, const std::string& cause = "") {
        std::mt19937_64 rng(id);
        const auto bytes = make_marked_document(mark, to, rng, dir_);
        const fs::path whole = dir_ / ("whole-" + std::to_string(id) + ".tif");
        std::ofstream(whole, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        // Keep only pages from..to: rewrite through the page reader.
        auto pages = read_bilevel_pages(whole);
        pages.erase(pages.begin(), pages.begin() + (from - 1));
        const fs::path file = dir_ / ("fax-" + std::to_string(id) + ".tif");
        write_bilevel_pages(file, pages, COMPRESSION_CCITTFAX4);
        state_.files[id] = file.string();
        state_.inbox.push_back("fax-" + std::to_string(id) + "-20260101T000000.tif");
        return {{"id", id},
                {"pages", to - from + 1},
                {"remote_ident", tsid},
                {"status", cause.empty() ? "completed" : "partial"},
                {"cause", cause},
                {"end", "2026-01-01T00:00:00Z"},
                {"routing", json::array({{{"done", true}}})}};
    }
    static json job(std::int64_t id, const std::string& tsid, const std::string& state,
                    int attempts) {
        json list = json::array();
        for (int i = 1; i <= attempts; ++i) list.push_back({{"number", i}, {"interrupted", false}});
        return {{"job_id", id}, {"tsid", tsid}, {"state", state}, {"attempts_list", list}};
    }
    static Submission sub(std::int64_t job_id, std::uint32_t mark, int pages) {
        return {mark, "CHAOS 1-" + std::to_string(job_id), pages, true, job_id};
    }

    fs::path dir_;
    SettledState state_;
};

TEST_F(ChaosVerdict, MarksSurviveATiffRoundTrip) {
    std::mt19937_64 rng(7);
    const auto bytes = make_marked_document(4321, 3, rng, dir_);
    const fs::path file = dir_ / "doc.tif";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    const auto marks = read_marks(file);
    ASSERT_EQ(marks.size(), 3u);
    for (std::uint32_t p = 1; p <= 3; ++p) {
        ASSERT_TRUE(marks[p - 1].has_value());
        EXPECT_EQ(*marks[p - 1], (PageMark{4321, p}));
    }
}

TEST_F(ChaosVerdict, AFailedJobWhoseEveryPageArrivedIsAFalseFailure) {
    state_.received.push_back(reception(1, 101, 1, 2, "CHAOS 1-1", "interrupted: faxd stopped"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "failed", 2));
    const Verdict v = judge({sub(1, 101, 2)}, {}, state_);
    EXPECT_EQ(v.false_failures, 1);
    EXPECT_EQ(v.lost, 0);
    EXPECT_EQ(v.jobs, 1);
}

TEST_F(ChaosVerdict, ACompletedJobMissingAPageIsLost) {
    state_.received.push_back(reception(1, 101, 1, 1, "CHAOS 1-1"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "completed", 1));
    EXPECT_EQ(judge({sub(1, 101, 2)}, {}, state_).lost, 1);
}

TEST_F(ChaosVerdict, AnAcknowledgedJobMissingIsLostAnUnacknowledgedOneIsNot) {
    Submission unacked = sub(2, 102, 1);
    unacked.acknowledged = false;
    const Verdict v = judge({sub(1, 101, 1), unacked}, {}, state_);
    EXPECT_EQ(v.lost, 1);
    EXPECT_EQ(v.jobs, 1);
}

TEST_F(ChaosVerdict, APageResentAfterAKillIsExcusedAWholeSecondCopyIsNot) {
    // Page 1 ended the interrupted reception, then came again with page 2: fine.
    state_.received.push_back(reception(1, 101, 1, 1, "CHAOS 1-1", "interrupted: faxd stopped"));
    state_.received.push_back(reception(2, 101, 1, 2, "CHAOS 1-1"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "completed", 2));
    EXPECT_EQ(judge({sub(1, 101, 2)}, {}, state_).duplicated, 0);
    // A third, complete copy is a duplicate delivery.
    state_.received.push_back(reception(3, 101, 1, 2, "CHAOS 1-1"));
    state_.jobs[0] = job(1, "CHAOS 1-1", "completed", 3);
    EXPECT_EQ(judge({sub(1, 101, 2)}, {}, state_).duplicated, 1);
}

TEST_F(ChaosVerdict, MoreCallsThanAttemptsAreUnrecorded) {
    state_.received.push_back(reception(1, 101, 1, 1, "CHAOS 1-1", "interrupted: faxd stopped"));
    state_.received.push_back(reception(2, 101, 1, 1, "CHAOS 1-1"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "completed", 1));
    EXPECT_GE(judge({sub(1, 101, 1)}, {}, state_).unrecorded_calls, 1);
}

TEST_F(ChaosVerdict, AReceptionSeenCompleteThenChangedIsLost) {
    state_.received.push_back(reception(1, 101, 1, 1, "CHAOS 1-1"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "completed", 1));
    const SeenReception before{1, state_.files[1], file_hash(state_.files[1])};
    EXPECT_EQ(judge({sub(1, 101, 1)}, {before}, state_).lost, 0);
    std::ofstream(state_.files[1], std::ios::app) << "x";
    EXPECT_EQ(judge({sub(1, 101, 1)}, {before}, state_).lost, 1);
}

TEST_F(ChaosVerdict, AReceptionNeverRoutedIsLost) {
    state_.received.push_back(reception(1, 101, 1, 1, "CHAOS 1-1"));
    state_.jobs.push_back(job(1, "CHAOS 1-1", "completed", 1));
    EXPECT_EQ(judge({sub(1, 101, 1)}, {}, state_).lost, 0);
    state_.received[0]["routing"] = json::array();
    state_.inbox.clear();
    EXPECT_EQ(judge({sub(1, 101, 1)}, {}, state_).lost, 1);
}

TEST_F(ChaosVerdict, LeftoversAreTemporaryNamesAndUnknownReceivedFiles) {
    const fs::path spool = dir_ / "spool";
    fs::create_directories(spool / "received");
    fs::create_directories(spool / "documents");
    std::ofstream(spool / "faxd.db-wal") << "";
    std::ofstream(spool / "received" / "fax-1.tif") << "";
    std::ofstream(spool / "received" / "fax-2.tif") << "";
    std::ofstream(spool / "documents" / ".doc.tif.tmp-1-0") << "";
    const auto left = leftover_files(spool, {(spool / "received" / "fax-1.tif").string()});
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(leftover_files_in_folder(spool / "documents").size(), 1u);
}

}  // namespace
}  // namespace faxemu::chaos
