using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Staff;

public sealed record CreateStaffRequest(string? Username, string? DisplayName, string? Password, IReadOnlyList<string>? Roles);

public sealed record StaffResponse(Guid Id, string Username, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

public sealed record StaffListResponse(IReadOnlyList<StaffResponse> Items);

/// <summary>Staff accounts, administered by admins.</summary>
public static class StaffApi
{
    public static IEndpointRouteBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/staff").WithTags("Staff").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateStaff).WithName("CreateStaff").WithSummary("Create a staff account with roles")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 409, 422)
            .Validates<CreateStaffRequest>(ValidateCreateStaff);
        group.MapGet("/", ListStaff).WithName("ListStaff").WithSummary("List staff accounts")
            .ProducesAuthProblems(forbidden: true);
        return app;
    }

    private static void ValidateCreateStaff(CreateStaffRequest request, RequestValidator v, HttpContext http)
    {
        if (v.Required(request.Username, "username"))
        {
            v.Length(request.Username, 3, 64, "username");
            if (request.Username!.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            {
                v.Add("username", "Letters, digits, '.', '_' and '-' only.");
            }
        }

        if (v.Required(request.DisplayName, "displayName"))
        {
            v.Length(request.DisplayName, 1, 100, "displayName");
        }

        if (v.Required(request.Password, "password"))
        {
            v.Length(request.Password, StaffRules.MinPasswordLength, StaffRules.MaxPasswordLength, "password");
        }

        if (request.Roles is null || request.Roles.Count == 0)
        {
            v.Add("roles", "At least one role is required.");
        }
        else if (request.Roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
        {
            v.Add("roles", $"Unknown role '{unknown}'; one of: {string.Join(", ", Roles.All)}.");
        }
    }

    public static async Task<Results<Created<StaffResponse>, ProblemHttpResult>> CreateStaff(
        CreateStaffRequest request, HttpContext http, CurrentCaller caller, StaffStore store, CancellationToken ct)
    {
        var user = store.NewUser(request.Username!, request.DisplayName!.Trim(), request.Password!, request.Roles!);
        if (!await store.InsertAsync(user, caller.Actor, ct))
        {
            return Problems.Conflict("username_taken", "A staff account with this username already exists.");
        }

        return TypedResults.Created($"/v1/staff/{user.Id}", ToResponse(user));
    }

    public static async Task<Ok<StaffListResponse>> ListStaff(StaffStore store, CancellationToken ct) =>
        TypedResults.Ok(new StaffListResponse((await store.ListAsync(ct)).Select(ToResponse).ToList()));

    private static StaffResponse ToResponse(StaffUser u) => new(u.Id, u.Username, u.DisplayName, u.RoleList, DbTime.ToOffset(u.CreatedAt));
}
