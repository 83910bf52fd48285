using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Network;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Staff;

public sealed record CreateStaffRequest(string? Username, string? DisplayName, string? Password, IReadOnlyList<string>? Roles);

public sealed record StaffResponse(Guid Id, string Username, string DisplayName, IReadOnlyList<string> Roles, bool Disabled, bool Locked, DateTimeOffset CreatedAt);

public sealed record StaffListResponse(IReadOnlyList<StaffResponse> Items);

public sealed record ChangeOwnPasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record ResetStaffPasswordRequest(string? NewPassword);

/// <summary>Staff accounts, administered by admins; each member of staff changes their own password.</summary>
public static class StaffApi
{
    public static IEndpointRouteBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/staff/me/password", ChangeOwnPassword).WithName("ChangeOwnPassword").WithTags("Staff")
            .WithSummary("Change one's own password; every token of the account is revoked")
            .RequireAuthorization(Policies.Staff)
            .ProducesAuthProblems().ProducesProblems(400, 422, 423)
            .Validates<ChangeOwnPasswordRequest>(ValidateChangeOwnPassword);

        var group = app.MapGroup("/v1/staff").WithTags("Staff").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateStaff).WithName("CreateStaff").WithSummary("Create a staff account with roles")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 409, 422)
            .Validates<CreateStaffRequest>(ValidateCreateStaff);
        group.MapGet("/", ListStaff).WithName("ListStaff").WithSummary("List staff accounts")
            .ProducesAuthProblems(forbidden: true);
        group.MapGet("/{staffId:guid}", GetStaff).WithName("GetStaff").WithSummary("One staff account")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPost("/{staffId:guid}/disable", DisableStaff).WithName("DisableStaff")
            .WithSummary("Disable a staff account; its tokens are revoked")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409);
        group.MapPost("/{staffId:guid}/enable", EnableStaff).WithName("EnableStaff").WithSummary("Enable a disabled staff account")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPost("/{staffId:guid}/unlock", UnlockStaff).WithName("UnlockStaff")
            .WithSummary("End every sign-in lock-out of a staff account")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPost("/{staffId:guid}/password", ResetStaffPassword).WithName("ResetStaffPassword")
            .WithSummary("Set a new password for a staff account; its tokens are revoked and its lock-outs end")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 422)
            .Validates<ResetStaffPasswordRequest>((r, v, _) => NewPassword(v, r.NewPassword, "newPassword"));
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

        NewPassword(v, request.Password, "password");
        if (request.Roles is null || request.Roles.Count == 0)
        {
            v.Add("roles", "At least one role is required.");
        }
        else if (request.Roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
        {
            v.Add("roles", $"Unknown role '{unknown}'; one of: {string.Join(", ", Roles.All)}.");
        }
    }

    private static void NewPassword(RequestValidator v, string? password, string field)
    {
        if (v.Required(password, field))
        {
            v.Length(password, StaffRules.MinPasswordLength, StaffRules.MaxPasswordLength, field);
        }
    }

    private static void ValidateChangeOwnPassword(ChangeOwnPasswordRequest request, RequestValidator v, HttpContext http)
    {
        if (v.Required(request.CurrentPassword, "currentPassword"))
        {
            v.Length(request.CurrentPassword, 1, StaffRules.MaxPasswordLength, "currentPassword");
        }

        NewPassword(v, request.NewPassword, "newPassword");
        if (request.NewPassword is not null && request.NewPassword == request.CurrentPassword)
        {
            v.Add("newPassword", "The new password must differ from the current one.");
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

        return TypedResults.Created($"/v1/staff/{user.Id}", ToResponse(new StaffAccount(user, false)));
    }

    public static async Task<Ok<StaffListResponse>> ListStaff(StaffStore store, CancellationToken ct) =>
        TypedResults.Ok(new StaffListResponse((await store.ListAsync(ct)).Select(ToResponse).ToList()));

    public static async Task<Results<Ok<StaffResponse>, ProblemHttpResult>> GetStaff(Guid staffId, StaffStore store, CancellationToken ct) =>
        Answer(await store.FindAccountAsync(staffId, ct));

    public static async Task<Results<Ok<StaffResponse>, ProblemHttpResult>> DisableStaff(Guid staffId, CurrentCaller caller, StaffStore store, CancellationToken ct) =>
        await store.SetDisabledAsync(staffId, true, caller.Actor, ct) switch
        {
            (StaffChangeRefusal.NotFound, _) => NotFound(),
            (StaffChangeRefusal.LastAdmin, _) => Problems.Conflict("last_admin", "This is the last enabled admin; enable or create another admin first."),
            (_, var account) => Answer(account),
        };

    public static async Task<Results<Ok<StaffResponse>, ProblemHttpResult>> EnableStaff(Guid staffId, CurrentCaller caller, StaffStore store, CancellationToken ct) =>
        Answer((await store.SetDisabledAsync(staffId, false, caller.Actor, ct)).Account);

    public static async Task<Results<Ok<StaffResponse>, ProblemHttpResult>> UnlockStaff(Guid staffId, CurrentCaller caller, StaffStore store, CancellationToken ct) =>
        Answer(await store.UnlockAsync(staffId, caller.Actor, ct));

    public static async Task<Results<Ok<StaffResponse>, ProblemHttpResult>> ResetStaffPassword(
        Guid staffId, ResetStaffPasswordRequest request, CurrentCaller caller, StaffStore store, CancellationToken ct) =>
        Answer(await store.SetPasswordAsync(staffId, request.NewPassword!, caller.Actor, "staff.password_reset", ct));

    /// <summary>
    /// The current password is checked like a sign-in (it takes an attempt of the caller's address, so a stolen token cannot
    /// be used to guess it); the change revokes every token of the account, this one included.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ChangeOwnPassword(
        ChangeOwnPasswordRequest request, HttpContext http, CurrentCaller caller, StaffStore store, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var user = await store.FindAsync(caller.Id, ct) ?? throw new InvalidOperationException("A valid staff token names an existing account.");
        var source = ClientAddress.Of(http) ?? "unknown";
        var check = await store.CheckPasswordAsync(user, request.CurrentPassword!, source, options.Value, ct);
        if (check == GuardedPassword.LockedOut)
        {
            return Problems.Create(423, "account_locked", "Too many wrong passwords from this address; try again later or ask an admin to unlock the account.");
        }

        if (check is GuardedPassword.Wrong or GuardedPassword.WrongNowLockedOut)
        {
            var wrong = new RequestValidator();
            wrong.Add("currentPassword", "This is not the account's current password.");
            return wrong.ToProblem();
        }

        await store.SetPasswordAsync(user.Id, request.NewPassword!, caller.Actor, "staff.password_changed", ct);
        return TypedResults.NoContent();
    }

    /// <summary>The account (after a change, as the change left it: read in its transaction), or 404 when there is none.</summary>
    private static Results<Ok<StaffResponse>, ProblemHttpResult> Answer(StaffAccount? account) =>
        account is null ? NotFound() : TypedResults.Ok(ToResponse(account));

    private static ProblemHttpResult NotFound() => Problems.NotFound("The staff account");

    private static StaffResponse ToResponse(StaffAccount a) =>
        new(a.User.Id, a.User.Username, a.User.DisplayName, a.User.RoleList, a.User.Disabled, a.Locked, DbTime.ToOffset(a.User.CreatedAt));
}
