using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Tests.Ledger;

public sealed class EntryIdsTests
{
    [Fact]
    public void The_same_movement_always_has_the_same_id_and_other_movements_others()
    {
        var id = EntryIds.For(EntryKinds.Disbursement, "HL2026030200000001-1");

        Assert.Equal(id, EntryIds.For(EntryKinds.Disbursement, "HL2026030200000001-1"));
        Assert.NotEqual(id, EntryIds.For(EntryKinds.Disbursement, "HL2026030200000001-2"));
        Assert.NotEqual(id, EntryIds.For(EntryKinds.Repayment, "HL2026030200000001-1"));
    }

    [Fact]
    public void Ids_are_name_based_uuids_of_version_8()
    {
        var text = EntryIds.For(EntryKinds.Disbursement, "x").ToString();

        Assert.Equal('8', text[14]);
        Assert.Contains(text[19], "89ab");
    }

    [Fact]
    public void A_kind_or_source_is_required()
    {
        Assert.Throws<ArgumentException>(() => EntryIds.For("", "x"));
        Assert.Throws<ArgumentException>(() => EntryIds.For(EntryKinds.Disbursement, ""));
    }
}
