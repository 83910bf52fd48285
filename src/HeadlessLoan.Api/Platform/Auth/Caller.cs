using System.Security.Claims;

namespace HeadlessLoan.Api.Platform.Auth;

/// <summary>Claim names and caller kinds shared by every authentication scheme.</summary>
public static class Caller
{
    public const string SubjectClaim = "sub";
    public const string KindClaim = "kind";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";

    /// <summary>The account's token version when the token was issued; a newer version revokes the token.</summary>
    public const string TokenVersionClaim = "tv";

    public const string Staff = "staff";
    public const string Channel = "channel";
    public const string Borrower = "borrower";

    public static string? Id(this ClaimsPrincipal user) => user.FindFirstValue(SubjectClaim);

    public static string? Kind(this ClaimsPrincipal user) => user.FindFirstValue(KindClaim);

    public static IReadOnlyList<string> Roles(this ClaimsPrincipal user) => user.FindAll(RoleClaim).Select(c => c.Value).ToList();

    /// <summary>Idempotency keys and rate limits are scoped to who is calling; anonymous callers by address.</summary>
    public static string Scope(HttpContext context)
    {
        var user = context.User;
        return user.Identity?.IsAuthenticated == true && user.Id() is { } id
            ? $"{user.Kind()}:{id}"
            : $"ip:{Network.ClientAddress.Of(context)}";
    }
}

public static class Roles
{
    public const string Admin = "admin";
    public const string RiskOfficer = "risk_officer";
    public const string DeptHead = "dept_head";
    public const string LoanOfficer = "loan_officer";
    public const string Collector = "collector";

    /// <summary>Reads and verifies the audit trail; changes nothing.</summary>
    public const string Auditor = "auditor";

    public static readonly IReadOnlyList<string> All = [Admin, RiskOfficer, DeptHead, LoanOfficer, Collector, Auditor];

    /// <summary>Who holds <see cref="Policies.Supervisor"/>: the roles that oversee others' work (and decide what a second person must).</summary>
    public static readonly IReadOnlyList<string> Supervisors = [Admin, DeptHead];

    /// <summary>The most senior rank (<see cref="Seniority"/>): an admin's, whom nobody outranks.</summary>
    public const int MostSenior = 3;

    /// <summary>
    /// How senior a member of staff holding <paramref name="roles"/> is, for decisions a second person of a higher role
    /// must take: admin 3, department head 2, any other staff role 1; no role 0.
    /// </summary>
    public static int Seniority(IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return roles.Select(r => r switch { Admin => MostSenior, DeptHead => 2, _ when All.Contains(r) => 1, _ => 0 }).DefaultIfEmpty(0).Max();
    }
}

public static class Policies
{
    /// <summary>Staff holding the admin role.</summary>
    public const string Admin = "admin";

    /// <summary>Staff holding the auditor or the admin role.</summary>
    public const string Auditor = "auditor";

    /// <summary>Any signed-in member of staff.</summary>
    public const string Staff = "staff";

    /// <summary>A borrower signed in through WeChat.</summary>
    public const string Borrower = "borrower";

    /// <summary>Any authenticated caller: staff, channel or borrower.</summary>
    public const string AnyCaller = "any_caller";

    /// <summary>Applicants: borrowers and channels (staff read applications and offers but do not fill them in or accept them).</summary>
    public const string Applicant = "applicant";

    /// <summary>Staff who work approval queues or oversee them: admin, risk officer, department head.</summary>
    public const string Approver = "approver";

    /// <summary>Staff who may override the workflow and assign loan officers: admin, department head.</summary>
    public const string Supervisor = "supervisor";
}
