// Fixed sequences pinning what the mm sequence property found missing or
// wrong in the model, each failing on the model before its fix: the anon
// rmap recording page->index, partial munmap() splitting its VMAs, KSM's page
// lock on a THP subpage, COW of a KSM page that only one pte still maps, NUMA
// hinting skipping KSM pages, and mremap() breaking the KSM pages it moves.
#include <gtest/gtest.h>

#include "model/arch/x86/fault.h"
#include "model/mm/ksm.h"
#include "model/mm/memory.h"
#include "model/mm/mprotect.h"
#include "model/mm/mremap.h"
#include "model/mm/vma_lock.h"
#include "model/mm/page_vma_mapped.h"
#include "tests/props/mm_system.h"

namespace {

using namespace mm_props;

void fault_at(mm_system& s, unsigned vpage, bool write) {
    ASSERT_TRUE(s.run([&] { do_user_addr_fault(s.mm.get(), addr_of(vpage), write ? FAULT_FLAG_WRITE : 0); }));
}

// try_to_merge_two_pages() of the pages mapped at virtual pages `kept` and
// `other`, each pinned around the merge as KSM's scan pins them; returns what
// it returns (the KSM page, `kept`'s page, or nullptr).
page* ksm_merge(mm_system& s, unsigned kept, unsigned other) {
    page* a = s.page_mapped_at(kept);
    page* b = s.page_mapped_at(other);
    page* kpage = nullptr;
    EXPECT_TRUE(s.run([&] {
        get_page(a);
        get_page(b);
        kpage = try_to_merge_two_pages(s.mm.get(), addr_of(kept), a, s.mm.get(), addr_of(other), b);
        put_page(b);
        put_page(a);
    }));
    return kpage;
}

// folio_add_new_anon_rmap() sets page->index (linear_page_index()), which
// page_address_in_vma() and so KSM and split_huge_page() rely on. The VMA
// starts at page 24, so its pgoff is 24: an index left 0 points below it.
TEST(MmSequencePins, NewAnonymousPagesRecordTheirLinearIndex) {
    mm_system s;
    fault_at(s, 29, true);  // VMA [24, 32): pmd 7 is covered whole, so a THP
    vm_area_struct* vma = s.vma_at(29);
    page* subpage = s.page_mapped_at(29);
    ASSERT_TRUE(s.translate(addr_of(29)).huge);
    EXPECT_EQ(subpage->index, 29u);
    EXPECT_EQ(page_address_in_vma(subpage, vma), addr_of(29));
    EXPECT_EQ(page_address_in_vma(compound_head(subpage), vma), addr_of(28));
}

// munmap() of the middle of a VMA splits it (__split_vma()) and, through
// vma_adjust_trans_huge(), the huge pmds its ends cut; the rest stays mapped.
TEST(MmSequencePins, MunmapOfTheMiddleOfAVmaSplitsIt) {
    mm_system s;
    fault_at(s, 4, true);  // a THP over pages 4..7
    const unsigned long thp = s.translate(addr_of(4)).pfn;
    int ret = -1;
    ASSERT_TRUE(s.run([&] { ret = vm_munmap(s.mm.get(), addr_of(5), 2 * PAGE_SIZE); }));
    EXPECT_EQ(ret, 0);
    ASSERT_EQ(s.mm->vmas.size(), 3u);
    EXPECT_EQ(s.mm->vmas[0]->vm_end, addr_of(5));
    EXPECT_EQ(s.mm->vmas[1]->vm_start, addr_of(7));
    EXPECT_EQ(s.mm->vmas[1]->vm_pgoff, 7u);
    EXPECT_EQ(s.translate(addr_of(4)).pfn, thp);
    EXPECT_FALSE(s.translate(addr_of(4)).huge);
    EXPECT_FALSE(s.translate(addr_of(5)).mapped);
    EXPECT_FALSE(s.translate(addr_of(6)).mapped);
    EXPECT_EQ(s.translate(addr_of(7)).pfn, thp + 3);
    EXPECT_TRUE(s.run([&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
        check_no_mapping_outside_vmas(s.mm.get());
    }));
}

// try_to_merge_one_page() of a THP subpage locks the folio (its head) before
// split_huge_page(), which asserts the folio lock; afterwards the subpage is a
// KSM page both ptes map read-only.
TEST(MmSequencePins, KsmMergesATailPageOfATHP) {
    mm_system s;
    fault_at(s, 0, true);   // a THP over pages 0..3
    fault_at(s, 25, true);  // VMA [24, 32) page 25: another THP, 24..27
    page* tail = s.page_mapped_at(1);
    ASSERT_EQ(ksm_merge(s, 1, 25), tail);
    EXPECT_TRUE(PageKsm(tail));
    EXPECT_EQ(compound_order(tail), 0u);
    EXPECT_EQ(page_mapcount(tail), 2);
    EXPECT_EQ(page_count(tail), 2);
    for (unsigned v : {1u, 25u}) {
        EXPECT_EQ(s.translate(addr_of(v)).pfn, tail->pfn);
        EXPECT_FALSE(s.translate(addr_of(v)).writable);
    }
}

// A KSM page stays shared content: do_wp_page() copies it even once only one
// pte maps it and no other reference is left (wp_can_reuse_anon_folio()'s
// folio_test_ksm()), and the copy frees it.
TEST(MmSequencePins, WriteToAKsmPageMappedOnceCopiesIt) {
    mm_system s;
    fault_at(s, 8, true);  // VMA [0, 12), pmd 2 whole: a THP; split it to small pages
    fault_at(s, 30, true);
    page* a = s.page_mapped_at(8);
    ASSERT_EQ(ksm_merge(s, 8, 30), a);
    fault_at(s, 30, true);  // the first write copies
    EXPECT_NE(s.translate(addr_of(30)).pfn, a->pfn);
    EXPECT_EQ(page_count(a), 1);
    fault_at(s, 8, true);  // the last mapping of the KSM page: copied too
    const translation t = s.translate(addr_of(8));
    EXPECT_TRUE(t.writable);
    EXPECT_NE(t.pfn, a->pfn);
    EXPECT_EQ(a->use, page_use::free);
    EXPECT_TRUE(s.run([&] { check_anon_accounting(s.mm.get()); }));
}

// NUMA hinting leaves KSM pages alone (change_pte_range() v6.6: PageKsm() is
// skipped like the zero page), even one that a single pte maps with
// page_count() 1, which the shared-COW test alone would let through.
TEST(MmSequencePins, NumaHintingSkipsAKsmPageMappedOnce) {
    mm_system s;
    fault_at(s, 8, true);
    fault_at(s, 30, true);
    page* a = s.page_mapped_at(8);
    ASSERT_EQ(ksm_merge(s, 8, 30), a);
    fault_at(s, 30, true);  // page 30 gets a copy: the KSM page is mapped once
    ASSERT_EQ(page_count(a), 1);
    ASSERT_TRUE(PageKsm(a));
    ASSERT_TRUE(s.run([&] {
        kernel::down_read(&s.mm->mmap_lock);
        change_prot_numa(s.vma_at(8), addr_of(8), addr_of(9));
        kernel::up_read(&s.mm->mmap_lock);
    }));
    const translation t = s.translate(addr_of(8));
    EXPECT_TRUE(t.mapped);
    EXPECT_FALSE(t.protnone);
    EXPECT_EQ(t.pfn, a->pfn);
}

// move_vma() breaks the KSM pages of the range it moves (ksm_madvise(
// MADV_UNMERGEABLE), as v6.6 does): the moved page is a copy of its own,
// exclusive but read-only (break_ksm()'s unshare fault), made writable by the
// next write fault without another copy; the KSM page keeps its other mapping.
TEST(MmSequencePins, MremapBreaksTheKsmPagesItMoves) {
    mm_system s;
    fault_at(s, 2, true);  // a THP over pages 0..3
    fault_at(s, 30, true);
    page* b = s.page_mapped_at(30);
    ASSERT_EQ(ksm_merge(s, 30, 2), b);
    ASSERT_EQ(s.translate(addr_of(2)).pfn, b->pfn);
    unsigned long moved = 0;
    ASSERT_TRUE(s.run([&] {
        mmap_write_lock(s.mm.get());
        vm_area_struct* old = s.vma_at(0);
        vm_area_struct* copy = vm_area_dup(old);  // copy_vma()
        copy->vm_start = addr_of(40);
        copy->vm_end = addr_of(52);
        moved = move_vma(old, copy, addr_of(40));
        mmap_write_unlock(s.mm.get());
    }));
    ASSERT_EQ(moved, addr_of(40));
    const translation t = s.translate(addr_of(42));
    EXPECT_TRUE(t.mapped && !t.writable);
    EXPECT_NE(t.pfn, b->pfn);
    EXPECT_FALSE(PageKsm(s.page_at(t.pfn)));
    EXPECT_TRUE(PageAnonExclusive(s.page_at(t.pfn)));
    fault_at(s, 42, true);
    const translation written = s.translate(addr_of(42));
    EXPECT_TRUE(written.mapped && written.writable);
    EXPECT_EQ(written.pfn, t.pfn);
    EXPECT_EQ(page_mapcount(b), 1);
    EXPECT_EQ(page_count(b), 1);
    EXPECT_TRUE(s.run([&] {
        check_page_tables(s.mm.get());
        check_anon_accounting(s.mm.get());
    }));
}

}  // namespace
