// See s7_hmm_pfn_oracle.h.
#include "scenarios/cpp/s7_hmm_pfn_oracle.h"

#include <cerrno>
#include <sstream>

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

expected_fault hmm_fault_oracle(bool fault_mode, hmm_request request, cpu_pte pte) {
    if (!fault_mode || !request.valid) return {};
    if (pte.type == cpu_pte::kind::device_private)
        return {request.device_private, request.device_private && request.write};
    const bool valid = pte.type == cpu_pte::kind::present;
    const bool need_write = request.write && !(valid && pte.write);
    return {!valid || need_write, need_write};
}

std::uint64_t cpu_entry_flags(const hmm_range& range, cpu_pte pte) {
    if (pte.type == cpu_pte::kind::none) return 0;
    std::uint64_t flags = range.flags[HMM_PFN_VALID];
    if (pte.write) flags |= range.flags[HMM_PFN_WRITE];
    if (pte.type == cpu_pte::kind::device_private) flags |= range.flags[HMM_PFN_DEVICE_PRIVATE];
    return flags;
}

namespace {

std::string decision_text(bool fault, bool write_fault) {
    if (!fault && !write_fault) return "no fault";
    return write_fault ? "write fault" : "read fault";
}

std::optional<std::string> disagree(const char* function, bool fault, bool write_fault, expected_fault want) {
    if (fault == want.fault && write_fault == want.write_fault) return std::nullopt;
    return std::string(function) + " decided " + decision_text(fault, write_fault) + ", the oracle says " +
           decision_text(want.fault, want.write_fault);
}

// The entry hmm_vma_handle_pte() wrote back without faulting must describe the
// CPU entry: none as values[HMM_PFN_NONE], anything else as its pfn and flags.
std::optional<std::string> check_entry(const hmm_range& range, cpu_pte pte, std::uint64_t entry) {
    std::ostringstream out;
    if (pte.type == cpu_pte::kind::none) {
        if (entry != range.values[HMM_PFN_NONE]) out << "a none pte came back as 0x" << std::hex << entry;
    } else {
        const std::uint64_t flags = range.flags[HMM_PFN_VALID] | range.flags[HMM_PFN_WRITE] |
                                    range.flags[HMM_PFN_DEVICE_PRIVATE];
        const std::uint64_t pfn = hmm_pfn_to_pfn(&range, entry);
        const std::optional<page> page = hmm_pfn_to_page(&range, entry);
        if (pfn != pte.pfn || !page || page->pfn != pte.pfn)
            out << "pfn " << pte.pfn << " came back as entry 0x" << std::hex << entry << " decoding to pfn 0x" << pfn;
        else if ((entry & flags) != cpu_entry_flags(range, pte))
            out << "entry 0x" << std::hex << entry << " carries flags 0x" << (entry & flags)
                << ", the CPU entry has 0x" << cpu_entry_flags(range, pte);
    }
    if (out.str().empty()) return std::nullopt;
    return "hmm_vma_handle_pte: " + out.str();
}

}  // namespace

std::optional<std::string> check_fault_decision(hmm_version version, const hmm_range& range, bool fault_mode,
                                                std::uint64_t request_word, hmm_request request, cpu_pte pte) {
    const expected_fault want = hmm_fault_oracle(fault_mode, request, pte);
    hmm_vma_walk walk{&range, version, fault_mode, std::nullopt};

    bool fault = false, write_fault = false;
    hmm_pte_need_fault(&walk, request_word, cpu_entry_flags(range, pte), &fault, &write_fault);
    if (auto d = disagree("hmm_pte_need_fault", fault, write_fault, want)) return d;

    std::uint64_t entry = request_word;
    const int ret = hmm_vma_handle_pte(&walk, pte, &entry);
    const hmm_vma_walk::fault_request taken = walk.faulted.value_or(hmm_vma_walk::fault_request{});
    if (auto d = disagree("hmm_vma_handle_pte", taken.fault, taken.write_fault, want)) return d;
    if (walk.faulted) return std::nullopt;
    if (ret != 0) return "hmm_vma_handle_pte returned " + std::to_string(ret) + " without faulting";
    return check_entry(range, pte, entry);
}

std::optional<std::string> check_range_need_fault(hmm_version version, const hmm_range& range, bool fault_mode,
                                                  const std::uint64_t* request_words,
                                                  const hmm_request* requests, unsigned long npages, cpu_pte pte) {
    expected_fault any;
    for (unsigned long i = 0; i < npages; ++i) {
        const expected_fault one = hmm_fault_oracle(fault_mode, requests[i], pte);
        any.fault = any.fault || one.fault;
        any.write_fault = any.write_fault || one.write_fault;
    }
    const hmm_vma_walk walk{&range, version, fault_mode, std::nullopt};
    bool fault = true, write_fault = true;  // the function must set both
    hmm_range_need_fault(&walk, request_words, npages, cpu_entry_flags(range, pte), &fault, &write_fault);
    if (fault != any.fault || (write_fault && !any.write_fault))
        return "hmm_range_need_fault decided " + decision_text(fault, write_fault) + ", some page needs " +
               decision_text(any.fault, any.write_fault);
    return std::nullopt;
}

std::optional<std::string> check_special_pte(const hmm_range& range, std::uint64_t request_word, cpu_pte pte) {
    hmm_vma_walk walk{&range, hmm_version::v5_6, true, std::nullopt};
    std::uint64_t entry = request_word;
    const int ret = hmm_vma_handle_pte(&walk, pte, &entry);
    if (walk.faulted) return std::nullopt;  // asked to fault: handle_mm_fault() gives the error
    if (ret != -EFAULT || entry != range.values[HMM_PFN_SPECIAL])
        return "a special pte came back as " + std::to_string(entry) + " (ret " + std::to_string(ret) + ")";
    if (hmm_pfn_to_page(&range, entry)) return "values[HMM_PFN_SPECIAL] decodes to a page";
    return std::nullopt;
}

}  // namespace model_hmm
MMCHECK_ENGINE_END
