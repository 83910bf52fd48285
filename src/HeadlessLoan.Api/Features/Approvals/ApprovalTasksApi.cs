using System.Security.Claims;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Approvals;
using HeadlessLoan.Domain.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>
/// Approval tasks: a role's queue and a reviewer's own tasks, claim and release, and the decision. Only staff holding a
/// task's role may act on it (403 otherwise); the four-eyes rules are checked under the application's row lock, so
/// two people deciding one task at once get one success and one 409.
/// </summary>
public static class ApprovalTasksApi
{
    public const int MaxListLimit = 100;
    public const int DefaultListLimit = 20;
    public const int MaxCommentLength = 1000;

    private static readonly string[] Views = ["queue", "mine"];
    private static readonly string[] Statuses = ["open", "claimed", "approved", "rejected", "returned", "cancelled"];

    public static IEndpointRouteBuilder MapApprovalTasksApi(this IEndpointRouteBuilder app)
    {
        // A task another reviewer holds may be free on the next try: that refusal is not replayed.
        var group = app.MapGroup("/v1/approval-tasks").WithTags("Approvals").RequireAuthorization(Policies.Approver)
            .WithMetadata(new TemporaryRefusals("task_claimed"));
        group.MapGet("/", ListTasks).WithName("ListApprovalTasks")
            .WithSummary("My role's queue (open tasks, oldest first) or my own tasks")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422);
        group.MapGet("/{taskId:guid}", GetTask).WithName("GetApprovalTask")
            .WithSummary("A task with its application (masked) and the application's decision history")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapGet("/{taskId:guid}/applicant", GetApplicant).WithName("GetApprovalTaskApplicant")
            .WithSummary("The applicant's personal data unmasked, for the reviewer holding the task; recorded")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409);
        group.MapPost("/{taskId:guid}/claim", Claim).WithName("ClaimApprovalTask")
            .WithSummary("Take a task from the queue")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409);
        group.MapPost("/{taskId:guid}/release", Release).WithName("ReleaseApprovalTask")
            .WithSummary("Put a claimed task back in the queue")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409);
        group.MapPost("/{taskId:guid}/decision", Decide).WithName("DecideApprovalTask")
            .WithSummary("Approve, reject or return the application for more documents")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409, 422)
            .Validates<DecideTaskRequest>(ValidateDecide);
        return app;
    }

    public static async Task<Results<Ok<ApprovalTaskListResponse>, ProblemHttpResult>> ListTasks(
        string? view, string? status, string? role, Guid? applicationId, bool? escalated, int? limit, string? after,
        HttpContext http, CurrentCaller caller, ApprovalTaskStore store, PersonalDataProtector protector, TimeProvider clock, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (view is not null && !Views.Contains(view, StringComparer.Ordinal))
        {
            v.Add("view", "Must be queue or mine.");
        }

        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            v.Add("status", $"Must be one of {string.Join(", ", Statuses)}.");
        }

        if (role is not null && !ApprovalRouting.StepRoles.Contains(role, StringComparer.Ordinal))
        {
            v.Add("role", $"Must be one of {string.Join(", ", ApprovalRouting.StepRoles)}.");
        }

        v.Range(limit, 1, MaxListLimit, "limit");
        var position = v.After(after);

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultListLimit;
        var rows = await store.ListAsync(ReviewerOf(caller), new TaskQuery(view == "mine", status, role, applicationId, escalated, position, take), ct);
        var (page, next) = Pages.Of(rows, take, r => Pages.Cursor(new ListPosition(r.CreatedAt, r.Id)));
        var now = DbTime.Now(clock);
        return TypedResults.Ok(new ApprovalTaskListResponse(page.Select(r => ToResponse(r, protector, now)).ToList(), next));
    }

    public static async Task<Results<Ok<ApprovalTaskDetailResponse>, ProblemHttpResult>> GetTask(
        Guid taskId, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, PersonalDataProtector protector, TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetAsync(taskId, ct) is not { } row)
        {
            return Problems.NotFound("The task");
        }

        var reviewer = ReviewerOf(caller);
        if (!reviewer.Roles.Contains(row.Role, StringComparer.Ordinal) && !reviewer.Roles.Contains(Roles.Admin, StringComparer.Ordinal))
        {
            return Refusal(FourEyesRefusal.RoleMismatch);
        }

        var history = await store.HistoryAsync(row.ApplicationId, ct);
        return TypedResults.Ok(new ApprovalTaskDetailResponse(
            ToResponse(row, protector, DbTime.Now(clock)),
            history.Select(h => new ApprovalHistoryItem(
                h.Id, h.Round, h.StepNo, h.Slot, h.Role, h.Status, h.DecidedBy, DbTime.ToOffset(h.DecidedAt), h.Decision, h.ReasonCode, h.Comment,
                DbTime.ToOffset(h.CreatedAt))).ToList()));
    }

    /// <summary>Need to know: a role allowed to unmask (<c>Approvals:UnmaskRoles</c>), holding this open task.</summary>
    public static async Task<Results<Ok<UnmaskedApplicantResponse>, ProblemHttpResult>> GetApplicant(
        Guid taskId, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, ApprovalViews views, PersonalDataProtector protector,
        IOptions<ApprovalsOptions> options, CancellationToken ct)
    {
        if (await store.GetAsync(taskId, ct) is not { } row)
        {
            return Problems.NotFound("The task");
        }

        var reviewer = ReviewerOf(caller);
        if (!reviewer.Roles.Contains(row.Role, StringComparer.Ordinal))
        {
            return Refusal(FourEyesRefusal.RoleMismatch);
        }

        if (!reviewer.Roles.Any(r => options.Value.UnmaskRoles.Contains(r, StringComparer.Ordinal)))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "unmask_not_allowed", "Your roles may not see personal data unmasked.");
        }

        if (row.Status != ApprovalTaskStore.Claimed || row.ClaimedBy != reviewer.Id)
        {
            return Problems.Conflict("task_not_claimed", "Claim the task before you look at the applicant's personal data.");
        }

        var secrets = (await views.UnmaskAsync(row.ApplicationId, taskId, reviewer.Id, ct))!;
        return TypedResults.Ok(new UnmaskedApplicantResponse(
            row.ApplicationId,
            protector.Decrypt(secrets.DeclaredNameEnc, PersonalDataPurpose.Name),
            protector.Decrypt(secrets.DeclaredAddressEnc, PersonalDataPurpose.Address),
            secrets.IdNumberEnc is { } id ? protector.Decrypt(id, PersonalDataPurpose.IdNumber) : null,
            secrets.IdNameEnc is { } name ? protector.Decrypt(name, PersonalDataPurpose.Name) : null,
            secrets.CardNumberEnc is { } card ? protector.Decrypt(card, PersonalDataPurpose.CardNumber) : null));
    }

    public static async Task<Results<Ok<ApprovalTaskResponse>, ProblemHttpResult>> Claim(
        Guid taskId, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, PersonalDataProtector protector, TimeProvider clock, CancellationToken ct) =>
        Answer(await store.ClaimAsync(taskId, ReviewerOf(caller), ct), protector, clock);

    public static async Task<Results<Ok<ApprovalTaskResponse>, ProblemHttpResult>> Release(
        Guid taskId, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, PersonalDataProtector protector, TimeProvider clock, CancellationToken ct) =>
        Answer(await store.ReleaseAsync(taskId, ReviewerOf(caller), ct), protector, clock);

    private static void ValidateDecide(DecideTaskRequest request, RequestValidator v, HttpContext http)
    {
        v.Required(request.Decision, "decision");
        var reasons = request.Decision switch
        {
            TaskDecision.Reject => ApprovalReasons.Rejections,
            TaskDecision.Return => ApprovalReasons.Returns,
            _ => null,
        };
        if (reasons is not null)
        {
            if (v.Required(request.ReasonCode, "reasonCode") && !reasons.ContainsKey(request.ReasonCode!))
            {
                v.Add("reasonCode", $"Must be one of {string.Join(", ", reasons.Keys)}.");
            }

            v.Required(request.Comment, "comment");
        }
        else if (request.ReasonCode is not null)
        {
            v.Add("reasonCode", "Only a rejection or a return carries a reason code.");
        }

        v.Length(request.Comment?.Trim(), 1, MaxCommentLength, "comment");
    }

    public static async Task<Results<Ok<ApprovalTaskResponse>, ProblemHttpResult>> Decide(
        Guid taskId, DecideTaskRequest request, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, PersonalDataProtector protector, TimeProvider clock,
        CancellationToken ct)
    {
        var verdict = request.Decision switch { TaskDecision.Approve => Verdict.Approve, TaskDecision.Reject => Verdict.Reject, _ => Verdict.Return };
        var result = await store.DecideAsync(taskId, ReviewerOf(caller), verdict, request.ReasonCode, request.Comment?.Trim(), ct);
        return Answer(result, protector, clock);
    }

    internal static Reviewer ReviewerOf(CurrentCaller caller) => new(caller.Id, caller.Roles);

    internal static ProblemHttpResult Refusal(FourEyesRefusal refusal) => refusal switch
    {
        FourEyesRefusal.RoleMismatch => Forbidden("role_mismatch", "The step needs a role you do not hold."),
        FourEyesRefusal.OwnApplication => Forbidden("four_eyes_own_application", "Nobody may decide their own application."),
        FourEyesRefusal.LoanOfficer => Forbidden("four_eyes_loan_officer", "The application's loan officer may not decide it."),
        FourEyesRefusal.RelatedParty => Forbidden("four_eyes_related_party", "You are recorded as related to the applicant and may not decide."),
        _ => Forbidden("four_eyes_already_involved", "You already decided or hold another step of this application; a second person must."),
    };

    internal static ProblemHttpResult? ProblemFor(TaskResult result, string what) => result.Kind switch
    {
        TaskResultKind.Done => null,
        TaskResultKind.NotFound => Problems.NotFound(what),
        TaskResultKind.Refused => Refusal(result.Refusal),
        TaskResultKind.Claimed => Problems.Conflict("task_claimed", "Another reviewer holds this task."),
        TaskResultKind.NotClaimedByYou => Problems.Conflict("task_not_claimed", "You do not hold this task."),
        _ => Problems.Conflict("task_closed", "The task has been decided or its application is no longer waiting for approval."),
    };

    private static ProblemHttpResult Forbidden(string code, string title) => Problems.Create(StatusCodes.Status403Forbidden, code, title);

    private static Results<Ok<ApprovalTaskResponse>, ProblemHttpResult> Answer(TaskResult result, PersonalDataProtector protector, TimeProvider clock) =>
        ProblemFor(result, "The task") is { } problem
            ? problem
            : TypedResults.Ok(ToResponse(result.Task!, protector, DbTime.Now(clock)));

    private static ApprovalTaskResponse ToResponse(TaskRow r, PersonalDataProtector protector, DateTime now) => new(
        r.Id,
        r.ApplicationId,
        r.Round,
        r.StepNo,
        ApprovalRouting.ParseSteps(r.Steps).Count,
        r.Slot,
        r.Role,
        r.Status,
        r.ClaimedBy,
        DbTime.ToOffset(r.ClaimedAt),
        r.DecidedBy,
        DbTime.ToOffset(r.DecidedAt),
        r.Decision,
        r.ReasonCode,
        r.Comment,
        r.EscalatedAt is not null,
        DbTime.ToOffset(r.EscalatedAt),
        DbTime.ToOffset(r.CreatedAt),
        (long)((r.DecidedAt ?? now) - r.CreatedAt).TotalSeconds,
        new ApprovalTaskApplication(
            r.ApplicationId, r.ApplicationStatus, r.Amount, r.ProductId, Mask.Name(protector.Decrypt(r.DeclaredNameEnc, PersonalDataPurpose.Name)),
            r.DeclaredRegionCode, r.BureauScore, DbTime.ToOffset(r.SubmittedAt)));
}
