using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using static HeadlessLoan.Api.Tests.Approvals.ApprovalFlow;

namespace HeadlessLoan.Api.Tests.Approvals;

public sealed class ApprovalWorkflowTests(ApprovalsFactory api) : IClassFixture<ApprovalsFactory>
{
    [Fact]
    public async Task EachAmountBandIsRoutedToItsStepsByThePolicyInForceAtSubmit()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        // Submitted under the seeded policy (version 1): 720 is above its 650 threshold.
        var small = await SubmittedForApprovalAsync(api, product, 4_999_999);
        var middle = await SubmittedForApprovalAsync(api, product, 5_000_000);
        var large = await SubmittedForApprovalAsync(api, product, 10_000_001);
        using var admin = await api.CreateAdminClientAsync();
        var stricter = await admin.PutAsJsonAsync("/v1/approval-policy", new
        {
            note = "Department heads also sign mid-size loans below 750",
            rules = new object[]
            {
                new { amountBelow = 5_000_000L, steps = new[] { new { role = "risk_officer", approvers = 1 } } },
                new { amountBelow = 10_000_001L, scoreBelow = 750, steps = new[] { new { role = "risk_officer", approvers = 1 }, new { role = "dept_head", approvers = 1 } } },
                new { amountBelow = 10_000_001L, steps = new[] { new { role = "risk_officer", approvers = 1 } } },
                new { steps = new[] { new { role = "risk_officer", approvers = 1 }, new { role = "dept_head", approvers = 1 } } },
            },
        });
        await stricter.AssertStatusAsync(HttpStatusCode.OK);
        var version = (await stricter.ReadJsonAsync()).GetProperty("version").GetInt32();
        var middleUnderNewPolicy = await SubmittedForApprovalAsync(api, product, 5_000_000);

        Assert.Equal(4, await RouteAsync(api));

        var expected = new[] { (small.Id, 1, 1), (middle.Id, 1, 1), (large.Id, 2, 1), (middleUnderNewPolicy.Id, 2, version) };
        await using var db = await api.OpenDatabaseAsync();
        foreach (var (id, steps, policyVersion) in expected)
        {
            var task = Assert.Single(await TasksAsync(officer.Client, id));
            Assert.Equal(steps, task.GetProperty("stepCount").GetInt32());
            Assert.Equal("risk_officer", task.GetProperty("role").GetString());
            Assert.Equal(720, task.GetProperty("application").GetProperty("bureauScore").GetInt32());
            Assert.Equal(policyVersion, await db.ExecuteScalarAsync<int>("SELECT policy_version FROM approval_rounds WHERE application_id = @id", new { id }));
        }
    }

    [Fact]
    public async Task OneRiskOfficerApprovesASmallLoanAndTheBorrowerNeverSeesWho()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var (borrower, id) = await PendingAsync(api, product, 1_000_000);

        var waiting = await ApplicationAsync(borrower, id);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);
        await (await officer.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertStatusAsync(HttpStatusCode.OK);
        api.Clock.Advance(TimeSpan.FromMinutes(30));
        await officer.Client.ApproveAsync(taskId);
        var approved = await ApplicationAsync(borrower, id);

        Assert.Equal("pending_approval", waiting.GetProperty("status").GetString());
        Assert.Equal(1, waiting.GetProperty("approval").GetProperty("stepNumber").GetInt32());
        Assert.Equal(1, waiting.GetProperty("approval").GetProperty("stepCount").GetInt32());
        Assert.True(waiting.GetProperty("approval").GetProperty("estimatedWaitMinutes").GetInt32() >= 0);
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(["approved"], approved.ReasonCodes());
        Assert.False(approved.TryGetProperty("approval", out _));
        Assert.DoesNotContain(officer.Id.ToString(), approved.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(officer.Id.ToString(), waiting.GetRawText(), StringComparison.OrdinalIgnoreCase);
        await using var db = await api.OpenDatabaseAsync();
        var (submitted, decided) = await db.QuerySingleAsync<(DateTime, DateTime)>(
            "SELECT submitted_at, decided_at FROM approval_rounds WHERE application_id = @id", new { id });
        Assert.Equal(TimeSpan.FromMinutes(30), decided - submitted);
    }

    [Fact]
    public async Task ALargeLoanNeedsARiskOfficerThenADifferentDepartmentHead()
    {
        var product = await ProductAsync(api);
        using var both = await StaffAsync(api, "risk_officer", "dept_head");
        using var head = await StaffAsync(api, "dept_head");
        var (borrower, id) = await PendingAsync(api, product, 15_000_000);

        await both.Client.ApproveAsync(await SingleOpenTaskAsync(both.Client, id));
        var afterFirst = await ApplicationAsync(borrower, id);
        var second = Assert.Single(await TasksAsync(head.Client, id));
        var secondId = second.GetProperty("id").GetGuid();
        var samePersonClaims = await both.Client.PostAsync($"/v1/approval-tasks/{secondId}/claim", null);
        var samePersonDecides = await both.Client.DecideAsync(secondId, "approve");
        await head.Client.ApproveAsync(secondId);

        Assert.Equal("pending_approval", afterFirst.GetProperty("status").GetString());
        Assert.Equal(2, afterFirst.GetProperty("approval").GetProperty("stepNumber").GetInt32());
        Assert.Equal("dept_head", second.GetProperty("role").GetString());
        await samePersonClaims.AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_already_involved");
        await samePersonDecides.AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_already_involved");
        Assert.Equal("approved", (await ApplicationAsync(borrower, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AClaimWithoutTheStepsRoleIsForbidden()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        using var head = await StaffAsync(api, "dept_head");
        using var collector = await StaffAsync(api, "collector");
        var (_, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);

        await (await head.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "role_mismatch");
        await (await head.Client.DecideAsync(taskId, "approve")).AssertProblemAsync(HttpStatusCode.Forbidden, "role_mismatch");
        await (await collector.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("open", Assert.Single(await TasksAsync(officer.Client, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task NobodyDecidesTheirOwnApplicationOneTheyOfficerOrOneOfARelative()
    {
        var product = await ProductAsync(api);
        using var admin = await api.CreateAdminClientAsync();
        using var self = await StaffAsync(api, "risk_officer");
        using var relative = await StaffAsync(api, "risk_officer");
        using var officerOfLoan = await StaffAsync(api, "risk_officer", "loan_officer");
        using var other = await StaffAsync(api, "risk_officer");
        var (borrower, id) = await PendingAsync(api, product, 1_000_000);
        var borrowerId = (await ApplicationAsync(borrower, id)).GetProperty("borrowerId").GetGuid();
        await (await admin.PostAsJsonAsync($"/v1/staff/{self.Id}/relations", new { kind = "self", borrowerId })).AssertStatusAsync(HttpStatusCode.Created);
        // The sample ID card's number: the relation is matched through the keyed hash, not the borrower account.
        await (await admin.PostAsJsonAsync($"/v1/staff/{relative.Id}/relations", new { kind = "family", idNumber = "110101199003070011" })).AssertStatusAsync(HttpStatusCode.Created);
        await (await admin.PutAsJsonAsync($"/v1/applications/{id}/loan-officer", new { staffId = officerOfLoan.Id })).AssertStatusAsync(HttpStatusCode.OK);
        var taskId = await SingleOpenTaskAsync(other.Client, id);

        await (await self.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_own_application");
        await (await self.Client.DecideAsync(taskId, "approve")).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_own_application");
        await (await relative.Client.DecideAsync(taskId, "approve")).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_related_party");
        await (await officerOfLoan.Client.DecideAsync(taskId, "approve")).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_loan_officer");
        await other.Client.ApproveAsync(taskId);

        var relations = await (await admin.GetAsync($"/v1/staff/{relative.Id}/relations")).ReadJsonAsync();
        var relation = Assert.Single(relations.GetProperty("items").EnumerateArray());
        Assert.Equal("id_number", relation.GetProperty("matchedBy").GetString());
        Assert.DoesNotContain("110101199003070011", relations.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoPeopleDecidingOneTaskAtOnceGetOneSuccessAndOneConflict()
    {
        var product = await ProductAsync(api);
        using var first = await StaffAsync(api, "risk_officer");
        using var second = await StaffAsync(api, "risk_officer");
        var applications = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            applications.Add((await PendingAsync(api, product, 1_000_000)).Id);
        }

        await using var db = await api.OpenDatabaseAsync();
        foreach (var id in applications)
        {
            var taskId = await SingleOpenTaskAsync(first.Client, id);
            var answers = await Task.WhenAll(first.Client.DecideAsync(taskId, "approve"), second.Client.DecideAsync(taskId, "reject", "credit_history", "Thin file"));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK);
            await loser.AssertProblemAsync(HttpStatusCode.Conflict);
            var decided = await db.QuerySingleAsync<(int Count, string Status)>(
                "SELECT COUNT(*), MIN(a.status) FROM approval_tasks t JOIN applications a ON a.id = t.application_id WHERE t.application_id = @id AND t.decided_by IS NOT NULL",
                new { id });
            Assert.Equal(1, decided.Count);
            Assert.True(decided.Status is "approved" or "rejected", decided.Status);
        }
    }

    [Fact]
    public async Task ARetriedDecisionWithTheSameIdempotencyKeyIsReplayedNotRepeated()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var (_, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);

        HttpRequestMessage Decision() => new(HttpMethod.Post, $"/v1/approval-tasks/{taskId}/decision")
        {
            Content = JsonContent.Create(new { decision = "approve" }),
            Headers = { { "Idempotency-Key", "decide-" + taskId } },
        };
        var first = await officer.Client.SendAsync(Decision());
        var retry = await officer.Client.SendAsync(Decision());

        await first.AssertStatusAsync(HttpStatusCode.OK);
        await retry.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id AND event_type = 'approval_task.decided'", new { id = taskId.ToString() }));
    }

    [Fact]
    public async Task ARejectionNeedsAReasonAndTheBorrowerReadsItInPlainWords()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var (borrower, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);

        var bare = await officer.Client.DecideAsync(taskId, "reject");
        var unknown = await officer.Client.DecideAsync(taskId, "reject", "looks_odd", "x");
        await (await officer.Client.DecideAsync(taskId, "reject", "insufficient_income", "Income proof shows 3,000 a month")).AssertStatusAsync(HttpStatusCode.OK);
        var rejected = await ApplicationAsync(borrower, id);

        Assert.Equal(["comment", "reasonCode"], (await bare.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal(["reasonCode"], (await unknown.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        var reason = Assert.Single(rejected.GetProperty("reasons").EnumerateArray());
        Assert.Equal("insufficient_income", reason.GetProperty("code").GetString());
        Assert.Equal("Your income is not enough for the repayments of this loan.", reason.GetProperty("message").GetString());
        Assert.DoesNotContain("3,000", rejected.GetRawText(), StringComparison.Ordinal);
        await (await officer.Client.DecideAsync(taskId, "approve")).AssertProblemAsync(HttpStatusCode.Conflict, "task_closed");
    }

    [Fact]
    public async Task AReturnedApplicationGoesBackToTheBorrowerAndReentersOnResubmit()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var (borrower, id) = await PendingAsync(api, product, 1_000_000);
        var firstTask = await SingleOpenTaskAsync(officer.Client, id);

        await (await officer.Client.DecideAsync(firstTask, "return", "documents_unclear", "Card photo is blurred")).AssertStatusAsync(HttpStatusCode.OK);
        var returned = await ApplicationAsync(borrower, id);
        await borrower.UploadSampleAsync(id, "bank_card", "card-valid");
        await IntakeFlow.SubmitAsync(borrower, id);
        Assert.Equal("pending_approval", (await IntakeFlow.DecidedAsync(borrower, id)).GetProperty("status").GetString());
        Assert.Equal(1, await RouteAsync(api));
        var secondTask = Assert.Single(await TasksAsync(officer.Client, id));
        await officer.Client.ApproveAsync(secondTask.GetProperty("id").GetGuid());

        Assert.Equal("returned", returned.GetProperty("status").GetString());
        Assert.Equal("documents", returned.GetProperty("currentStep").GetString());
        Assert.Equal(["documents_unclear"], returned.ReasonCodes());
        Assert.Equal(2, secondTask.GetProperty("round").GetInt32());
        Assert.Equal("approved", (await ApplicationAsync(borrower, id)).GetProperty("status").GetString());
        var detail = await (await officer.Client.GetAsync($"/v1/approval-tasks/{firstTask}")).ReadJsonAsync();
        Assert.Equal(["returned", "approved"], detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()!));
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(["{\"status\":\"draft\"}", "{\"status\":\"returned\"}"], await db.QueryAsync<string>(
            "SELECT before_json FROM audit_records WHERE entity_id = @id AND action = 'application.submitted' ORDER BY seq", new { id = id.ToString() }));
    }

    [Fact]
    public async Task ASpecialApprovalNeedsASupervisorAndAReasonAndIsFlagged()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        using var head = await StaffAsync(api, "dept_head");
        var (borrower, id) = await PendingAsync(api, product, 15_000_000);

        var byOfficer = await officer.Client.PostAsJsonAsync($"/v1/applications/{id}/special-approval", new { reason = "Long-standing customer" });
        var noReason = await head.Client.PostAsJsonAsync($"/v1/applications/{id}/special-approval", new { reason = "ok" });
        var special = await head.Client.PostAsJsonAsync($"/v1/applications/{id}/special-approval", new { reason = "Collateral outside the policy covers the loan" });
        var again = await head.Client.PostAsJsonAsync($"/v1/applications/{id}/special-approval", new { reason = "Collateral outside the policy covers the loan" });

        await byOfficer.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(["reason"], (await noReason.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        await special.AssertStatusAsync(HttpStatusCode.OK);
        Assert.True((await special.ReadJsonAsync()).GetProperty("flagged").GetBoolean());
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "application_not_pending");
        Assert.Equal("approved", (await ApplicationAsync(borrower, id)).GetProperty("status").GetString());
        Assert.Equal("cancelled", Assert.Single(await TasksAsync(officer.Client, id, "cancelled")).GetProperty("status").GetString());
        await using var db = await api.OpenDatabaseAsync();
        var round = await db.QuerySingleAsync<(bool Special, Guid By, string Reason)>(
            "SELECT special, special_by, special_reason FROM approval_rounds WHERE application_id = @id", new { id });
        Assert.Equal((true, head.Id, "Collateral outside the policy covers the loan"), round);
        Assert.True(await db.ExecuteScalarAsync<bool>(
            "SELECT JSON_EXTRACT(payload, '$.flagged') = true FROM outbox_events WHERE entity_id = @id AND event_type = 'application.special_approved'", new { id = id.ToString() }));
    }

    [Fact]
    public async Task OnlyTheHolderOfATaskSeesTheApplicantUnmaskedAndEachLookIsRecorded()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        using var colleague = await StaffAsync(api, "risk_officer");
        var (_, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);

        var beforeClaim = await officer.Client.GetAsync($"/v1/approval-tasks/{taskId}/applicant");
        await (await officer.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertStatusAsync(HttpStatusCode.OK);
        var byColleague = await colleague.Client.GetAsync($"/v1/approval-tasks/{taskId}/applicant");
        var claimedByOther = await colleague.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null);
        var unmasked = await officer.Client.GetAsync($"/v1/approval-tasks/{taskId}/applicant");
        var masked = await (await officer.Client.GetAsync($"/v1/approval-tasks/{taskId}")).ReadJsonAsync();

        await beforeClaim.AssertProblemAsync(HttpStatusCode.Conflict, "task_not_claimed");
        await byColleague.AssertProblemAsync(HttpStatusCode.Conflict, "task_not_claimed");
        await claimedByOther.AssertProblemAsync(HttpStatusCode.Conflict, "task_claimed");
        await unmasked.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("110101199003070011", (await unmasked.ReadJsonAsync()).GetProperty("idNumber").GetString());
        Assert.Equal("张*", masked.GetProperty("task").GetProperty("application").GetProperty("name").GetString());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE entity_id = @id AND event_type = 'personal_data.unmasked' AND JSON_UNQUOTE(JSON_EXTRACT(payload, '$.actor.id')) = @staff",
            new { id = id.ToString(), staff = officer.Id.ToString() }));
        await (await officer.Client.PostAsync($"/v1/approval-tasks/{taskId}/release", null)).AssertStatusAsync(HttpStatusCode.OK);
        await (await colleague.Client.PostAsync($"/v1/approval-tasks/{taskId}/release", null)).AssertProblemAsync(HttpStatusCode.Conflict, "task_not_claimed");
    }

    [Fact]
    public async Task AnUnmaskingIsAFlaggedRecordInTheAuditTrail()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var (_, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);
        await (await officer.Client.PostAsync($"/v1/approval-tasks/{taskId}/claim", null)).AssertStatusAsync(HttpStatusCode.OK);

        await (await officer.Client.GetAsync($"/v1/approval-tasks/{taskId}/applicant")).AssertStatusAsync(HttpStatusCode.OK);

        using var auditor = await api.CreateStaffWithRolesAsync("auditor");
        var page = await (await auditor.GetAsync($"/v1/audit?entity=application&entityId={id}&limit=200")).ReadJsonAsync();
        var records = page.GetProperty("items").EnumerateArray().ToList();
        var unmasking = Assert.Single(records, r => r.GetProperty("action").GetString() == "personal_data.unmasked");
        Assert.True(unmasking.GetProperty("flagged").GetBoolean());
        Assert.Equal("staff", unmasking.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal(officer.Id.ToString(), unmasking.GetProperty("actor").GetProperty("id").GetString());
        Assert.Equal(taskId.ToString(), unmasking.GetProperty("after").GetProperty("taskId").GetString());
        // Only the look at personal data is flagged, not the ordinary steps around it.
        Assert.All(records.Where(r => r.GetProperty("action").GetString() != "personal_data.unmasked"),
            r => Assert.False(r.GetProperty("flagged").GetBoolean()));
    }

    [Fact]
    public async Task TheQueueIsPagedOldestFirstAndMineListsWhatIHold()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await PendingAsync(api, product, 1_000_000)).Id);
            api.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await officer.Client.GetAsync($"/v1/approval-tasks?limit=1{(cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("applicationId").GetGuid()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null && seen.Count < 200);
        var held = await SingleOpenTaskAsync(officer.Client, ids[1]);
        await (await officer.Client.PostAsync($"/v1/approval-tasks/{held}/claim", null)).AssertStatusAsync(HttpStatusCode.OK);
        var mine = await (await officer.Client.GetAsync("/v1/approval-tasks?view=mine")).ReadJsonAsync();
        var bad = await officer.Client.GetAsync("/v1/approval-tasks?view=everything&status=lost&limit=0");

        Assert.Equal(ids, seen.Where(ids.Contains));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(held, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(["limit", "status", "view"], (await bad.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OnlyAdminsChangeThePolicyAndEveryBadRuleIsNamed()
    {
        using var officer = await StaffAsync(api, "risk_officer");
        using var admin = await api.CreateAdminClientAsync();
        var valid = new { note = "n", rules = new[] { new { steps = new[] { new { role = "risk_officer", approvers = 1 } } } } };

        var byOfficer = await officer.Client.PutAsJsonAsync("/v1/approval-policy", valid);
        var invalid = await admin.PutAsJsonAsync("/v1/approval-policy", new
        {
            note = "bad",
            rules = new object[]
            {
                new { amountFrom = 500L, amountBelow = 100L, productId = Guid.NewGuid(), steps = new[] { new { role = "collector", approvers = 9 } } },
                new { scoreBelow = 600, steps = Array.Empty<object>() },
            },
        });
        var first = await officer.Client.GetAsync("/v1/approval-policy?version=1");
        var missing = await officer.Client.GetAsync("/v1/approval-policy?version=999");

        await byOfficer.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(
            ["rules[0].amountBelow", "rules[0].productId", "rules[0].steps[0].approvers", "rules[0].steps[0].role", "rules[1]", "rules[1].steps"],
            (await invalid.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields().Order(StringComparer.Ordinal));
        var seeded = await first.ReadJsonAsync();
        Assert.Equal(4, seeded.GetProperty("rules").GetArrayLength());
        Assert.Equal(650, seeded.GetProperty("rules")[1].GetProperty("scoreBelow").GetInt32());
        Assert.False(seeded.TryGetProperty("createdBy", out _));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
