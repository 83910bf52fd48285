using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;

namespace HeadlessLoan.Api.Tests.Reminders;

/// <summary>
/// What admins tune of reminders, against the running service and the sandbox: templates and policies saved as new
/// versions and used by the next plan and send, refused when the channel would refuse them, previewed with a loan's
/// values; a borrower's do-not-contact flag set and cleared by the staff allowed to; everything else refused.
/// </summary>
public sealed class ReminderAdminTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private readonly ReminderWalk _walk = new(api);

    [Fact]
    public async Task ASavedTemplateIsTheNextVersionAndTheNextSendGoesOutWithIt()
    {
        using var admin = await api.CreateAdminClientAsync();
        var key = NewKey();
        var first = await SaveTemplateAsync(admin, key, "wechat_subscribe", new { providerTemplate = "tmpl-first", fields = new { thing1 = "第一版", amount2 = "{amount}" } });
        var key2 = Guid.NewGuid().ToString();
        var second = await PutAsync(admin, $"/v1/reminder-templates/{key}/wechat_subscribe",
            new { providerTemplate = "tmpl-second", page = "pages/repay/index?loanId={loanId}", fields = new { thing1 = "{name}您好，借款快到期了", amount2 = "{amount}", date3 = "{dueDate}" } }, key2);
        await second.AssertStatusAsync(HttpStatusCode.OK);
        // The same request again under its key is the same save, not a third version.
        var replayed = await PutAsync(admin, $"/v1/reminder-templates/{key}/wechat_subscribe",
            new { providerTemplate = "tmpl-second", page = "pages/repay/index?loanId={loanId}", fields = new { thing1 = "{name}您好，借款快到期了", amount2 = "{amount}", date3 = "{dueDate}" } }, key2);

        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal(2, (await second.ReadJsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal(2, (await replayed.ReadJsonAsync()).GetProperty("version").GetInt32());
        var versions = (await (await admin.GetAsync($"/v1/reminder-templates/{key}/wechat_subscribe/versions")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal([2, 1], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var listed = (await (await admin.GetAsync("/v1/reminder-templates")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .Single(t => t.GetProperty("templateKey").GetString() == key);
        Assert.Equal(("tmpl-second", 2), (listed.GetProperty("providerTemplate").GetString(), listed.GetProperty("version").GetInt32()));
        await AssertAuditedAsync("reminder_template.saved", $"{key}/wechat_subscribe", 2);

        // A product whose only tier, D−3, uses the template: its loan's reminder goes out with version 2.
        var product = await LoanFlow.PricedProductAsync(api);
        await (await PutAsync(admin, $"/v1/reminder-policies/{product}", OneTier(-3, "wechat_subscribe", key)))
            .AssertStatusAsync(HttpStatusCode.OK);
        var (loanId, firstDue, to) = await _walk.LoanAsync(productId: product);
        await _walk.WalkToAsync(firstDue.AddDays(-3));

        var reminder = Assert.Single(await _walk.RemindersAsync(loanId));
        Assert.Equal((key, 2, "sent"), (reminder.GetProperty("templateKey").GetString(), reminder.GetProperty("templateVersion").GetInt32(), reminder.GetProperty("status").GetString()));
        var message = Assert.Single(await api.Sandbox.OutboxAsync(to.OpenId));
        Assert.Equal("tmpl-second", message.Template);
        Assert.Equal(["amount2", "date3", "thing1"], message.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("张*您好，借款快到期了", message.Fields["thing1"]);
        Assert.Equal(firstDue.ToString("yyyy年M月d日", CultureInfo.InvariantCulture), message.Fields["date3"]);
    }

    [Fact]
    public async Task ATemplateWeChatWouldRefuseIsRefusedNamingTheFieldAndNothingIsSaved()
    {
        using var admin = await api.CreateAdminClientAsync();
        var key = NewKey();
        await SaveTemplateAsync(admin, key, "wechat_subscribe", new { providerTemplate = "tmpl", fields = new { thing1 = "您的借款即将到期" } });

        // Fixed text over a thing's 20 characters would go out cut every time.
        var longThing = await PutAsync(admin, $"/v1/reminder-templates/{key}/wechat_subscribe",
            new { providerTemplate = "tmpl", fields = new { thing1 = "您的借款即将到期请务必在到期日之前按时足额还款以免逾期" } });
        // WeChat takes a date and nothing else in a date field.
        var notADate = await PutAsync(admin, $"/v1/reminder-templates/{key}/wechat_subscribe",
            new { providerTemplate = "tmpl", fields = new { thing1 = "还款提醒", date2 = "{dueDate}前" } });
        var twoAmounts = await PutAsync(admin, $"/v1/reminder-templates/{key}/wechat_subscribe",
            new { providerTemplate = "tmpl", fields = new { amount3 = "{amount}{amount}" } });
        var pageOnSms = await PutAsync(admin, $"/v1/reminder-templates/{key}/sms", new { providerTemplate = "SMS_1", page = "pages/x", fields = new { name = "{name}" } });
        var unknownChannel = await PutAsync(admin, $"/v1/reminder-templates/{key}/fax", new { providerTemplate = "F", fields = new { name = "{name}" } });
        var badKey = await PutAsync(admin, "/v1/reminder-templates/Before-Due/sms", new { providerTemplate = "F", fields = new { name = "{name}" } });
        var missing = await PutAsync(admin, $"/v1/reminder-templates/{key}/sms", new { page = (string?)null });

        Assert.Equal(["fields.thing1"], (await longThing.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_invalid")).ErrorFields());
        var date = await notADate.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_invalid");
        Assert.Equal(["fields.date2"], date.ErrorFields());
        Assert.Contains("date", date.GetProperty("errors").GetProperty("fields.date2")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(["fields.amount3"], (await twoAmounts.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_invalid")).ErrorFields());
        Assert.Equal(["page"], (await pageOnSms.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_invalid")).ErrorFields());
        await unknownChannel.AssertProblemAsync(HttpStatusCode.NotFound);
        await badKey.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["fields", "providerTemplate"], (await missing.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields().Order(StringComparer.Ordinal));
        var versions = (await (await admin.GetAsync($"/v1/reminder-templates/{key}/wechat_subscribe/versions")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(1, versions.GetArrayLength());
        await (await admin.GetAsync($"/v1/reminder-templates/{key}/sms/versions")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task APreviewFillsInALoansValuesAsTheSenderWouldOrTheLongestOnes()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (loanId, firstDue, _) = await _walk.LoanAsync();
        var loan = await _walk.Days.LoanAsync(loanId);

        var forLoan = await PostAsync(admin, "/v1/reminder-templates/before_due/wechat_subscribe/preview", new { loanId });
        var longest = await PostAsync(admin, "/v1/reminder-templates/before_due/sms/preview", new { });
        var noLoan = await PostAsync(admin, "/v1/reminder-templates/before_due/sms/preview", new { loanId = Guid.NewGuid() });
        var noTemplate = await PostAsync(admin, $"/v1/reminder-templates/{NewKey()}/sms/preview", new { });

        await forLoan.AssertStatusAsync(HttpStatusCode.OK);
        var preview = await forLoan.ReadJsonAsync();
        var values = preview.GetProperty("values");
        Assert.Equal("张*", values.GetProperty("name").GetString());
        Assert.Equal(Yuan(loan.GetProperty("nextDue").GetProperty("amount").GetInt64()), values.GetProperty("amount").GetString());
        Assert.Equal(firstDue.ToString("yyyy年M月d日", CultureInfo.InvariantCulture), values.GetProperty("dueDate").GetString());
        Assert.Equal((0, 1), (values.GetProperty("daysOverdue").GetInt32(), values.GetProperty("period").GetInt32()));
        Assert.Equal($"pages/repay/index?loanId={loanId}", preview.GetProperty("page").GetString());
        var fields = preview.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!);
        Assert.Equal(values.GetProperty("amount").GetString(), fields["amount2"].GetProperty("value").GetString());
        Assert.Equal("{amount}", fields["amount2"].GetProperty("text").GetString());
        Assert.All(fields.Values, f => Assert.False(f.TryGetProperty("problem", out _), f.ToString())); // nothing the channel would refuse

        await longest.AssertStatusAsync(HttpStatusCode.OK);
        var filled = (await longest.ReadJsonAsync()).GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal("欧阳**********", filled["name"]);
        Assert.Equal("99999999.99元", filled["amount"]);
        await noLoan.AssertProblemAsync(HttpStatusCode.NotFound);
        await noTemplate.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AProductsPolicyReplacesTheDefaultForItsLoansOnly()
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var unknownProduct = await PutAsync(admin, $"/v1/reminder-policies/{Guid.NewGuid()}", OneTier(-2, "sms", "before_due"));
        var upperCase = await PutAsync(admin, $"/v1/reminder-policies/{product.ToString().ToUpperInvariant()}", OneTier(-2, "sms", "before_due"));
        var noTemplate = await PutAsync(admin, $"/v1/reminder-policies/{product}", OneTier(-2, "voice", "before_due"));
        var sameDay = await PutAsync(admin, $"/v1/reminder-policies/{product}", new
        {
            tiers = new[] { Tier(1, "sms", "overdue"), Tier(1, "voice", "overdue_call") },
            lateDays = 2,
        });
        var saved = await PutAsync(admin, $"/v1/reminder-policies/{product}", OneTier(-2, "sms", "before_due"));

        await unknownProduct.AssertProblemAsync(HttpStatusCode.NotFound);
        await upperCase.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["tiers[0].templateKey"], (await noTemplate.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "reminder_policy_invalid")).ErrorFields());
        Assert.Equal(["tiers"], (await sameDay.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "reminder_policy_invalid")).ErrorFields());
        await saved.AssertStatusAsync(HttpStatusCode.OK);
        var policy = await saved.ReadJsonAsync();
        Assert.Equal((product.ToString(), 1, "d-2"), (policy.GetProperty("scope").GetString(), policy.GetProperty("version").GetInt32(),
            policy.GetProperty("tiers")[0].GetProperty("tier").GetString()));
        var scopes = (await (await admin.GetAsync("/v1/reminder-policies")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .Select(p => p.GetProperty("scope").GetString()).ToArray();
        Assert.Contains("default", scopes);
        Assert.Contains(product.ToString(), scopes);
        await AssertAuditedAsync("reminder_policy.saved", product.ToString(), 1);

        var (own, ownDue, ownTo) = await _walk.LoanAsync(productId: product);
        var (other, otherDue, _) = await _walk.LoanAsync();
        await _walk.WalkToAsync(new[] { ownDue, otherDue }.Max().AddDays(-1));

        Assert.Equal(["d-2/sms"], (await _walk.RemindersAsync(own)).Select(Describe));
        Assert.Single(await api.Sandbox.OutboxAsync(ownTo.Phone), m => m.Channel == "sms");
        Assert.Empty(await api.Sandbox.OutboxAsync(ownTo.OpenId));
        Assert.Equal(["d-1/wechat_subscribe", "d-3/wechat_subscribe"], (await _walk.RemindersAsync(other)).Select(Describe));
    }

    [Fact]
    public async Task ACollectorsDoNotContactFlagSkipsTheBorrowersRemindersAndOnlyAHeadClearsIt()
    {
        var (loanId, firstDue, to) = await _walk.LoanAsync();
        var borrowerId = await BorrowerOfAsync(loanId);
        using var collector = await api.CreateStaffWithRolesAsync("collector");
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        var path = $"/v1/borrowers/{borrowerId}/contact-preferences";

        var before = await (await officer.GetAsync(path)).ReadJsonAsync();
        var set = await PutAsync(collector, path, new { doNotContact = true, reason = "The borrower asked not to be called" });
        var byOfficer = await PutAsync(officer, path, new { doNotContact = false, reason = "Try again" });
        var noReason = await PutAsync(collector, path, new { doNotContact = true });
        var unknown = await PutAsync(collector, $"/v1/borrowers/{Guid.NewGuid()}/contact-preferences", new { doNotContact = true, reason = "x" });

        Assert.False(before.GetProperty("doNotContact").GetBoolean());
        Assert.False(before.TryGetProperty("updatedBy", out _));
        await set.AssertStatusAsync(HttpStatusCode.OK);
        await byOfficer.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(["reason"], (await noReason.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        var now = await (await officer.GetAsync(path)).ReadJsonAsync();
        Assert.True(now.GetProperty("doNotContact").GetBoolean());
        Assert.Equal("The borrower asked not to be called", now.GetProperty("reason").GetString());

        await _walk.WalkToAsync(firstDue.AddDays(-3));
        var skipped = Assert.Single(await _walk.RemindersAsync(loanId));
        Assert.Equal(("skipped", "do_not_contact"), (skipped.GetProperty("status").GetString(), skipped.GetProperty("outcome").GetString()));
        Assert.Empty(await api.Sandbox.OutboxAsync(to.OpenId));

        // The collector cannot lift it; a department head can, and the next tier goes out (signed in afresh: the walk outlived the tokens).
        using var laterCollector = await api.CreateStaffWithRolesAsync("collector");
        using var laterHead = await api.CreateStaffWithRolesAsync("dept_head");
        await (await PutAsync(laterCollector, path, new { doNotContact = false, reason = "Changed my mind" })).AssertProblemAsync(HttpStatusCode.Forbidden, "contact_clear_not_allowed");
        await (await PutAsync(laterHead, path, new { doNotContact = false, reason = "The borrower agreed to reminders again" })).AssertStatusAsync(HttpStatusCode.OK);
        await _walk.WalkToAsync(firstDue.AddDays(-1));
        Assert.Single(await api.Sandbox.OutboxAsync(to.OpenId));
        await using var db = await api.OpenDatabaseAsync();
        var audited = (await db.QueryAsync<string>("SELECT after_json FROM audit_records WHERE action = 'borrower.contact_preferences_changed' AND entity_id = @id ORDER BY seq",
            new { id = borrowerId.ToString() })).ToArray();
        Assert.Equal(2, audited.Length);
        Assert.Contains("\"doNotContact\":true", audited[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyAdminsManageTemplatesAndPoliciesAndOnlyStaffReadContactPreferences()
    {
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer", "risk_officer", "dept_head", "collector");
        using var borrower = await api.CreateBorrowerClientAsync();
        var template = new { providerTemplate = "SMS_1", fields = new { name = "{name}" } };

        foreach (var caller in new[] { officer, borrower })
        {
            await (await caller.GetAsync("/v1/reminder-templates")).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await caller.GetAsync("/v1/reminder-templates/before_due/sms/versions")).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await PutAsync(caller, "/v1/reminder-templates/before_due/sms", template)).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await PostAsync(caller, "/v1/reminder-templates/before_due/sms/preview", new { })).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await caller.GetAsync("/v1/reminder-policies")).AssertProblemAsync(HttpStatusCode.Forbidden);
            await (await PutAsync(caller, "/v1/reminder-policies/default", OneTier(-1, "sms", "before_due"))).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        await (await borrower.GetAsync($"/v1/borrowers/{Guid.NewGuid()}/contact-preferences")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await PutAsync(borrower, $"/v1/borrowers/{Guid.NewGuid()}/contact-preferences", new { doNotContact = true, reason = "x" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        using var anonymous = api.CreateApiClient();
        await (await anonymous.GetAsync("/v1/reminder-templates")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static object OneTier(int offsetDays, string channel, string templateKey) => new { tiers = new[] { Tier(offsetDays, channel, templateKey) }, lateDays = 2 };

    private static object Tier(int offsetDays, string channel, string templateKey) => new { offsetDays, channels = new[] { channel }, templateKey };

    private static string Describe(JsonElement reminder) => $"{reminder.GetProperty("tier").GetString()}/{reminder.GetProperty("channel").GetString()}";

    private static string NewKey() => "t_" + Guid.NewGuid().ToString("N")[..12];

    private static string Yuan(long fen) => (fen / 100).ToString(CultureInfo.InvariantCulture) + "." + (fen % 100).ToString("00", CultureInfo.InvariantCulture) + "元";

    private static async Task<JsonElement> SaveTemplateAsync(HttpClient admin, string key, string channel, object body)
    {
        var response = await PutAsync(admin, $"/v1/reminder-templates/{key}/{channel}", body);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string path, object body, string? idempotencyKey = null) =>
        SendAsync(client, HttpMethod.Put, path, body, idempotencyKey);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body) => SendAsync(client, HttpMethod.Post, path, body, null);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    private async Task<Guid> BorrowerOfAsync(Guid loanId)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<Guid>("SELECT borrower_id FROM loans WHERE id = @id", new { id = loanId.ToString() });
    }

    private async Task AssertAuditedAsync(string action, string entityId, int version)
    {
        await using var db = await api.OpenDatabaseAsync();
        var after = await db.QueryAsync<string>("SELECT after_json FROM audit_records WHERE action = @action AND entity_id = @entityId", new { action, entityId });
        Assert.Contains(after, a => a.Contains($"\"version\":{version}", StringComparison.Ordinal));
    }
}
