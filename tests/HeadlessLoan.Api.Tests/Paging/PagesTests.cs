using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Paging;

namespace HeadlessLoan.Api.Tests.Paging;

public sealed class PagesTests
{
    [Fact]
    public void CursorsRoundTripAndForgeriesAreRefused()
    {
        var position = new ListPosition(new DateTime(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc).AddTicks(12_340), Guid.CreateVersion7());

        Assert.True(Pages.TryRead(Pages.Cursor(position), out var read));
        Assert.Equal(position, read);
        Assert.False(Pages.TryRead("bm90LWEtY3Vyc29y", out _));
        Assert.False(Pages.TryRead("!!", out _));
    }

    [Fact]
    public void A_forged_cursor_is_a_field_error_and_a_real_one_is_read()
    {
        var v = new RequestValidator();
        var position = new ListPosition(DateTime.UnixEpoch, Guid.CreateVersion7());

        Assert.Equal(position, v.After(Pages.Cursor(position)));
        Assert.Null(v.After(null));
        Assert.False(v.HasErrors);
        Assert.Null(v.After("!!"));
        Assert.Null(v.AfterSequence("-3"));
        Assert.True(v.HasErrors);
    }

    [Fact]
    public void A_page_has_a_next_cursor_only_when_more_rows_were_found()
    {
        var (items, next) = Pages.Of([1L, 2L, 3L], 2, Pages.Cursor);
        Assert.Equal([1L, 2L], items);
        Assert.Equal("2", next);

        var (all, none) = Pages.Of([1L, 2L], 2, Pages.Cursor);
        Assert.Equal(2, all.Count);
        Assert.Null(none);
    }
}
