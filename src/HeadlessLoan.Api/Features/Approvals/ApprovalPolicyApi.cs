using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Domain.Approvals;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>
/// The approval policy: reviewers read it, admins change it. A change writes a new version of the whole rule list;
/// applications keep the version in force when they were submitted.
/// </summary>
public static class ApprovalPolicyApi
{
    public static IEndpointRouteBuilder MapApprovalPolicyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/approval-policy").WithTags("Approvals");
        group.MapGet("/", GetPolicy).WithName("GetApprovalPolicy")
            .WithSummary("The approval policy in force, or a given version")
            .RequireAuthorization(Policies.Approver).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404);
        group.MapPut("/", ChangePolicy).WithName("ChangeApprovalPolicy")
            .WithSummary("Replace the rules: writes a new version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(422);
        return app;
    }

    public static async Task<Results<Ok<ApprovalPolicyResponse>, ProblemHttpResult>> GetPolicy(int? version, ApprovalPolicyStore store, CancellationToken ct) =>
        await store.GetAsync(version, ct) is { } policy ? TypedResults.Ok(ToResponse(policy)) : Problems.NotFound("The approval policy version");

    public static async Task<Results<Ok<ApprovalPolicyResponse>, ProblemHttpResult>> ChangePolicy(
        ChangeApprovalPolicyRequest request, HttpContext http, CurrentCaller caller, ApprovalPolicyStore store, IProductCatalog products, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (v.Required(request.Note, "note"))
        {
            v.Length(request.Note!.Trim(), 1, 200, "note");
        }

        var rules = new List<ApprovalRule>();
        var incomplete = new HashSet<string>(StringComparer.Ordinal);
        if (request.Rules is null)
        {
            v.Add("rules", "Is required.");
        }
        else
        {
            for (var i = 0; i < request.Rules.Count; i++)
            {
                var r = request.Rules[i];
                if (r is null)
                {
                    v.Add($"rules[{i}]", "Is required.");
                    continue;
                }

                var steps = new List<ApprovalStep>();
                for (var s = 0; s < (r.Steps?.Count ?? 0); s++)
                {
                    var step = r.Steps![s];
                    if (step is null || !v.Required(step.Role, $"rules[{i}].steps[{s}].role") | !v.Required(step.Approvers, $"rules[{i}].steps[{s}].approvers"))
                    {
                        incomplete.Add($"rules[{i}].steps");
                        continue;
                    }

                    steps.Add(new ApprovalStep(step.Role!, step.Approvers!.Value));
                }

                if (r.ProductId is { } productId && await products.GetAsync(productId, null, ct) is null)
                {
                    v.Add($"rules[{i}].productId", "No product with this id exists.");
                }

                rules.Add(new ApprovalRule(r.ProductId, r.AmountFrom, r.AmountBelow, r.ScoreFrom, r.ScoreBelow, steps));
            }

            foreach (var error in ApprovalRouting.Validate(rules))
            {
                // A rule whose steps were dropped for missing fields is already reported; its step count is not news.
                if (!incomplete.Contains(error.Field))
                {
                    v.Add(error.Field, error.Message);
                }
            }
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var policy = await store.ChangeAsync(rules, request.Note!.Trim(), caller.Id, ct);
        return TypedResults.Ok(ToResponse(policy));
    }

    private static ApprovalPolicyResponse ToResponse(ApprovalPolicy p) => new(
        p.Version, p.Note, DbTime.ToOffset(p.CreatedAt), p.CreatedBy,
        p.Rules.Select((r, i) => new ApprovalRuleResponse(
            i + 1, r.ProductId, r.AmountFrom, r.AmountBelow, r.ScoreFrom, r.ScoreBelow,
            r.Steps.Select(s => new ApprovalStepResponse(s.Role, s.Approvers)).ToList())).ToList());
}
