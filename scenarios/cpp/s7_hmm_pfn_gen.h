// RapidCheck generators for S7: random driver encodings (distinct flag bits below
// a random pfn_shift, values for none/error/special), requests, CPU entries, and a
// request encoded the way a driver of that version could write it. Each type
// shows itself so that a shrunk counterexample reads as a driver's setup.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <ostream>

#include "model/mm/hmm_pfn.h"
#include "scenarios/cpp/s7_hmm_pfn_oracle.h"

MMCHECK_ENGINE_BEGIN
namespace model_hmm {

// The driver's pfns[i] and, from v5.2, the range's default_flags and mask.
struct request_encoding {
    std::uint64_t word = 0;
    std::uint64_t default_flags = 0;
    std::uint64_t pfn_flags_mask = ~std::uint64_t{0};
};

inline void showValue(const hmm_range& r, std::ostream& os) {
    os << std::hex << "{shift " << std::dec << unsigned(r.pfn_shift) << std::hex << ", flags valid 0x"
       << r.flags[HMM_PFN_VALID] << " write 0x" << r.flags[HMM_PFN_WRITE] << " device_private 0x"
       << r.flags[HMM_PFN_DEVICE_PRIVATE] << ", values none 0x" << r.values[HMM_PFN_NONE] << " error 0x"
       << r.values[HMM_PFN_ERROR] << " special 0x" << r.values[HMM_PFN_SPECIAL] << "}" << std::dec;
}

inline void showValue(const cpu_pte& p, std::ostream& os) {
    static const char* const kinds[] = {"none", "present", "device-private"};
    os << "{" << kinds[static_cast<int>(p.type)];
    if (p.type != cpu_pte::kind::none) os << (p.write ? " writable" : " read-only") << " pfn " << p.pfn;
    if (p.special) os << (p.zero ? " special zero-pfn" : " special");
    os << "}";
}

inline void showValue(const hmm_request& r, std::ostream& os) {
    os << "{" << (r.valid ? "VALID" : "-") << (r.write ? " WRITE" : "") << (r.device_private ? " DEVICE_PRIVATE" : "")
       << "}";
}

inline void showValue(const request_encoding& e, std::ostream& os) {
    os << std::hex << "{pfns[i] 0x" << e.word << ", default_flags 0x" << e.default_flags << ", pfn_flags_mask 0x"
       << e.pfn_flags_mask << "}" << std::dec;
}

namespace gen {

// Small values half the time: drivers use small codes, and small pfns make values
// and real entries meet, which is what the aliasing properties are about.
inline rc::Gen<std::uint64_t> word(unsigned bits) {
    const std::uint64_t limit = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    return rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, std::min<std::uint64_t>(limit, 64) + 1),
                          rc::gen::inRange<std::uint64_t>(0, limit));
}

// A bit below `shift` not in `taken` (sorted): pick among the free ones.
inline unsigned free_bit(unsigned shift, std::initializer_list<unsigned> taken) {
    unsigned bit = *rc::gen::inRange<unsigned>(0, shift - unsigned(taken.size()));
    for (unsigned t : taken)
        if (bit >= t) ++bit;
    return bit;
}

// A driver encoding the kernel documents as allowed: distinct flag bits below
// pfn_shift (<= PAGE_SHIFT); none differs from error and special, which may be
// the same value. `values_may_look_valid`: also let values carry the VALID bit,
// which no comment forbids (see the aliasing tests).
inline rc::Gen<hmm_range> encoding(bool values_may_look_valid = false) {
    return rc::gen::exec([values_may_look_valid] {
        hmm_range r;
        r.pfn_shift = static_cast<std::uint8_t>(*rc::gen::inRange<unsigned>(3, 13));
        const unsigned valid = free_bit(r.pfn_shift, {});
        const unsigned write = free_bit(r.pfn_shift, {valid});
        const unsigned dp = free_bit(r.pfn_shift, {std::min(valid, write), std::max(valid, write)});
        r.flags = {std::uint64_t{1} << valid, std::uint64_t{1} << write, std::uint64_t{1} << dp};
        const std::uint64_t strip = values_may_look_valid ? 0 : r.flags[HMM_PFN_VALID];
        const auto value = [&] { return *word(64) & ~strip; };
        r.values[HMM_PFN_NONE] = value();
        const auto not_none = [&] {
            std::uint64_t v = value();
            return v == r.values[HMM_PFN_NONE] ? v ^ (std::uint64_t{1} << r.pfn_shift) : v;
        };
        r.values[HMM_PFN_ERROR] = not_none();
        const bool alias_error_special = *rc::gen::arbitrary<bool>();
        r.values[HMM_PFN_SPECIAL] = alias_error_special ? r.values[HMM_PFN_ERROR] : not_none();
        return r;
    });
}

inline rc::Gen<std::uint64_t> pfn(const hmm_range& r) { return word(64 - r.pfn_shift); }

inline rc::Gen<hmm_request> request() {
    return rc::gen::exec([] {
        hmm_request q;
        q.valid = *rc::gen::arbitrary<bool>();
        q.write = *rc::gen::arbitrary<bool>();
        q.device_private = *rc::gen::arbitrary<bool>();
        return q;
    });
}

// A CPU entry; the only special pte is the zero page's (treated as a normal page).
inline rc::Gen<cpu_pte> pte(const hmm_range& r) {
    return rc::gen::exec([r] {
        cpu_pte p;
        p.type = *rc::gen::element(cpu_pte::kind::none, cpu_pte::kind::present, cpu_pte::kind::device_private);
        if (p.type == cpu_pte::kind::none) return p;
        p.write = *rc::gen::arbitrary<bool>();
        p.pfn = *pfn(r);
        if (p.type == cpu_pte::kind::present) p.special = p.zero = *rc::gen::arbitrary<bool>();
        return p;
    });
}

// A special pte other than the zero page (vm_insert_pfn() and friends).
inline rc::Gen<cpu_pte> special_pte(const hmm_range& r) {
    return rc::gen::exec([r] {
        return cpu_pte{cpu_pte::kind::present, *rc::gen::arbitrary<bool>(), true, false, *pfn(r)};
    });
}

// Whether the walk may fault: hmm_vma_fault(), or a hmm_vma_get_pfns() snapshot.
struct walk_kind {
    bool fault = true;
};

inline void showValue(walk_kind w, std::ostream& os) {
    os << (w.fault ? "hmm_vma_fault()" : "hmm_vma_get_pfns() (snapshot)");
}

inline rc::Gen<walk_kind> walk() {
    return rc::gen::map(rc::gen::weightedElement<bool>({{9, true}, {1, false}}), [](bool f) { return walk_kind{f}; });
}

// `q` as a driver of `version` could write it: its flag bits set, any bits that
// are not flags left over from earlier use; from v5.2 part of the request in
// default_flags and bits outside pfn_flags_mask ignored whatever they hold.
inline rc::Gen<request_encoding> request_for(const hmm_range& r, hmm_request q, hmm_version version) {
    return rc::gen::exec([r, q, version] {
        const std::uint64_t all_flags = r.flags[HMM_PFN_VALID] | r.flags[HMM_PFN_WRITE] |
                                        r.flags[HMM_PFN_DEVICE_PRIVATE];
        const std::uint64_t want = (q.valid ? r.flags[HMM_PFN_VALID] : 0) | (q.write ? r.flags[HMM_PFN_WRITE] : 0) |
                                   (q.device_private ? r.flags[HMM_PFN_DEVICE_PRIVATE] : 0);
        request_encoding e;
        const std::uint64_t leftover = *word(64) & ~all_flags;
        if (version != hmm_version::v5_6) {
            e.word = want | leftover;
            return e;
        }
        e.default_flags = want & *rc::gen::arbitrary<std::uint64_t>();
        const std::uint64_t per_page = want & ~e.default_flags;
        e.pfn_flags_mask = *rc::gen::arbitrary<std::uint64_t>() | per_page;
        // Inside the mask only the request's own flags; outside it anything.
        e.word = per_page | (leftover & e.pfn_flags_mask) | (*rc::gen::arbitrary<std::uint64_t>() & ~e.pfn_flags_mask);
        return e;
    });
}

inline void apply(hmm_range& r, const request_encoding& e) {
    r.default_flags = e.default_flags;
    r.pfn_flags_mask = e.pfn_flags_mask;
}

}  // namespace gen
}  // namespace model_hmm
MMCHECK_ENGINE_END
