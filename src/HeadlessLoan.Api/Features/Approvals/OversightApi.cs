using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>
/// What supervisors and admins do around the queues: the special approval (an override with a mandatory reason,
/// flagged), assigning an application's loan officer, and the list of staff relations the four-eyes rules read.
/// </summary>
public static class OversightApi
{
    public const int MinReasonLength = 10;
    public const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapOversightApi(this IEndpointRouteBuilder app)
    {
        var applications = app.MapGroup("/v1/applications/{applicationId:guid}").WithTags("Approvals").RequireAuthorization(Policies.Supervisor)
            .WithMetadata(new TemporaryRefusals("task_claimed"));
        applications.MapPost("/special-approval", SpecialApprove).WithName("SpecialApproveApplication")
            .WithSummary("Override the remaining steps and approve, with a mandatory reason; flagged")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409, 422)
            .Validates<SpecialApprovalRequest>(ValidateSpecialApprove);
        applications.MapPut("/loan-officer", AssignLoanOfficer).WithName("AssignLoanOfficer")
            .WithSummary("Assign the application's loan officer (who may then not decide it)")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 422);

        var relations = app.MapGroup("/v1/staff/{staffId:guid}/relations").WithTags("Staff").RequireAuthorization(Policies.Admin);
        relations.MapPost("/", AddRelation).WithName("CreateStaffRelation")
            .WithSummary("Record how a member of staff is related to an applicant")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 422);
        relations.MapGet("/", ListRelations).WithName("ListStaffRelations")
            .WithSummary("The relations recorded for a member of staff")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        return app;
    }

    private static void ValidateSpecialApprove(SpecialApprovalRequest request, RequestValidator v, HttpContext http)
    {
        if (v.Required(request.Reason, "reason"))
        {
            v.Length(request.Reason!.Trim(), MinReasonLength, MaxReasonLength, "reason");
        }
    }

    public static async Task<Results<Ok<SpecialApprovalResponse>, ProblemHttpResult>> SpecialApprove(
        Guid applicationId, SpecialApprovalRequest request, HttpContext http, CurrentCaller caller, ApprovalTaskStore store, TimeProvider clock, CancellationToken ct)
    {
        var reviewer = ApprovalTasksApi.ReviewerOf(caller);
        var result = await store.SpecialApproveAsync(applicationId, reviewer, request.Reason!.Trim(), ct);
        return result.Kind switch
        {
            TaskResultKind.Done => TypedResults.Ok(new SpecialApprovalResponse(applicationId, ApplicationStatusNames.Approved, reviewer.Id, request.Reason.Trim(), true, DbTime.ToOffset(DbTime.Now(clock)))),
            TaskResultKind.Closed => Problems.Conflict("application_not_pending", "Only an application waiting for approval can be specially approved."),
            _ => ApprovalTasksApi.ProblemFor(result, "The application")!,
        };
    }

    public static async Task<Results<Ok<LoanOfficerResponse>, ProblemHttpResult>> AssignLoanOfficer(
        Guid applicationId, AssignLoanOfficerRequest request, HttpContext http, CurrentCaller caller, PartyStore store, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (!v.Required(request.StaffId, "staffId"))
        {
            return v.ToProblem();
        }

        var (outcome, at) = await store.AssignLoanOfficerAsync(applicationId, request.StaffId!.Value, caller.Id, ct);
        return outcome switch
        {
            AssignOutcome.Done => TypedResults.Ok(new LoanOfficerResponse(applicationId, request.StaffId.Value, DbTime.ToOffset(at))),
            AssignOutcome.ApplicationNotFound => Problems.NotFound("The application"),
            _ => Problems.Unprocessable("not_a_loan_officer", "Only an active member of staff with the loan_officer role can be assigned.", "staffId",
                "No active member of staff with the loan_officer role has this id."),
        };
    }

    public static async Task<Results<Created<StaffRelationResponse>, ProblemHttpResult>> AddRelation(
        Guid staffId, CreateStaffRelationRequest request, HttpContext http, CurrentCaller caller, PartyStore store, PersonalDataProtector protector, TimeProvider clock,
        CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Required(request.Kind, "kind");
        if ((request.BorrowerId is null) == (request.IdNumber is null))
        {
            v.Add("borrowerId", "Send either borrowerId or idNumber: the applicant the relation is with.");
        }

        var idCheck = request.IdNumber is null ? null : ResidentIdNumber.Check(request.IdNumber.Trim(), ChinaTime.Today(clock));
        if (idCheck is { Id: null })
        {
            v.Add("idNumber", "Must be a valid 18-character resident ID number.");
        }

        if (request.Note is not null)
        {
            v.Length(request.Note.Trim(), 1, 200, "note");
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var kind = request.Kind!.Value;
        // Matched like the applications' own ID numbers: the same normalised value, the same keyed hash.
        var hash = idCheck?.Id is { } id ? protector.LookupHash(id.Value, PersonalDataPurpose.IdNumber) : null;
        var row = await store.AddRelationAsync(staffId, ToWire(kind), request.BorrowerId, hash, request.Note?.Trim(), caller.Id, ct);
        return row is null
            ? Problems.NotFound("The member of staff")
            : TypedResults.Created($"/v1/staff/{staffId}/relations", ToResponse(row));
    }

    public static async Task<Results<Ok<StaffRelationListResponse>, ProblemHttpResult>> ListRelations(Guid staffId, PartyStore store, CancellationToken ct) =>
        await store.RelationsAsync(staffId, ct) is { } rows
            ? TypedResults.Ok(new StaffRelationListResponse(rows.Select(ToResponse).ToList()))
            : Problems.NotFound("The member of staff");

    private static string ToWire(RelationKind kind) => kind.ToString().ToLowerInvariant();

    private static StaffRelationResponse ToResponse(RelationRow r) => new(
        r.Id, r.StaffId, Enum.Parse<RelationKind>(r.Kind, ignoreCase: true), r.BorrowerId, r.MatchedBy, r.Note, DbTime.ToOffset(r.CreatedAt), r.CreatedBy);
}
