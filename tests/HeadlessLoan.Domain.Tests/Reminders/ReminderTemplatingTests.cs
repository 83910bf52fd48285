using HeadlessLoan.Domain.Reminders;

namespace HeadlessLoan.Domain.Tests.Reminders;

public sealed class ReminderTemplatingTests
{
    private static readonly ReminderVariables Values = new("张*", 123_456, new DateOnly(2026, 6, 15), 3, Guid.Parse("6f1c3c7e-0000-4000-8000-000000000001"));

    private static ReminderTemplate WeChat(params (string Key, string Text)[] fields) =>
        new("overdue", ReminderChannel.WeChatSubscribe, 1, "tmpl-1", "pages/repay/index?loan={loanId}", fields.ToDictionary(f => f.Key, f => f.Text));

    [Fact]
    public void A_template_is_filled_with_the_loans_values()
    {
        var rendered = ReminderTemplating.Render(WeChat(("thing1", "{name}的借款已逾期{daysOverdue}天"), ("amount2", "{amount}"), ("date3", "{dueDate}")), Values);
        Assert.Equal("张*的借款已逾期3天", rendered.Fields["thing1"]);
        Assert.Equal("1234.56元", rendered.Fields["amount2"]);
        Assert.Equal("2026年6月15日", rendered.Fields["date3"]);
        Assert.Equal("pages/repay/index?loan=6f1c3c7e-0000-4000-8000-000000000001", rendered.Page);
    }

    [Fact]
    public void A_thing_is_cut_to_20_characters_without_splitting_one()
    {
        var rendered = ReminderTemplating.Render(WeChat(("thing1", "尊敬的{name}您好，您的借款将于{dueDate}到期，请按时还款😀")), Values);
        var thing = rendered.Fields["thing1"];
        Assert.Equal(20, new System.Globalization.StringInfo(thing).LengthInTextElements);
        Assert.EndsWith("…", thing);
        Assert.Null(ReminderTemplating.ValueProblem(ReminderChannel.WeChatSubscribe, "thing1", thing));
    }

    [Theory]
    [InlineData("amount2", "{amount}", null)]
    [InlineData("amount2", "约{amount}", "amount")]
    [InlineData("date3", "{dueDate}", null)]
    [InlineData("date3", "{dueDate}前", "date")]
    [InlineData("number4", "{daysOverdue}", null)]
    [InlineData("number4", "{name}", "number")]
    [InlineData("phrase5", "已逾期", null)]
    [InlineData("thing1", "{unknown}", "unknown variable")]
    [InlineData("thing1", "第一行\n第二行", "control")]
    [InlineData("bogus1", "x", "not a WeChat")]
    [InlineData("thing1", "{name}您好，您的借款快到期了", null)]
    [InlineData("thing1", "您的借款即将到期请务必在到期日之前按时足额还款以免逾期", "fixed text")]
    [InlineData("phrase5", "已逾期很多天了", "fixed text")]
    public void A_field_is_checked_against_wechats_rules_with_the_longest_values_when_saved(string key, string text, string? says)
    {
        var problem = ReminderTemplating.Invalid(WeChat((key, text)));
        Assert.Equal(says is null ? null : "fields." + key, ReminderTemplating.Problem(WeChat((key, text)))?.Field);
        if (says is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(says, problem);
            Assert.Contains(key, problem);
        }
    }

    [Fact]
    public void Sms_variables_are_held_to_the_providers_35_characters()
    {
        var sms = new ReminderTemplate("overdue", ReminderChannel.Sms, 1, "SMS_100001", null, new Dictionary<string, string> { ["name"] = "{name}", ["amount"] = "{amount}" });
        Assert.Null(ReminderTemplating.Invalid(sms));
        var rendered = ReminderTemplating.Render(sms with { Fields = new Dictionary<string, string> { ["note"] = new string('长', 50) } }, Values);
        Assert.Equal(35, rendered.Fields["note"].Length);
        Assert.Contains("page", ReminderTemplating.Invalid(sms with { Page = "pages/x" }));
    }

    [Theory]
    [InlineData(0, "0.00元")]
    [InlineData(5, "0.05元")]
    [InlineData(123_456, "1234.56元")]
    [InlineData(99_999_999_99, "99999999.99元")]
    public void Amounts_are_yuan_with_two_decimals(long fen, string shown) => Assert.Equal(shown, ReminderVariables.Amount(fen));
}
