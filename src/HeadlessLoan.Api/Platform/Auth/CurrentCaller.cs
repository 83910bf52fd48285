using System.Security.Claims;
using HeadlessLoan.Api.Platform.Audit;

namespace HeadlessLoan.Api.Platform.Auth;

/// <summary>The authenticated caller of the current request, read once from its claims; endpoints take it as a service.</summary>
public sealed class CurrentCaller
{
    private CurrentCaller(string kind, Guid id, IReadOnlyList<string> roles)
    {
        Kind = kind;
        Id = id;
        Roles = roles;
        Actor = new AuditActor(kind, id.ToString());
    }

    /// <summary><see cref="Caller.Staff"/>, <see cref="Caller.Channel"/> or <see cref="Caller.Borrower"/>.</summary>
    public string Kind { get; }

    public Guid Id { get; }

    public IReadOnlyList<string> Roles { get; }

    /// <summary>The caller as recorded in the audit trail.</summary>
    public AuditActor Actor { get; }

    public bool IsStaff => Kind == Caller.Staff;

    public bool IsChannel => Kind == Caller.Channel;

    public bool IsBorrower => Kind == Caller.Borrower;

    /// <summary>A member of staff holding one of the supervisor roles (<see cref="Roles.Supervisors"/>).</summary>
    public bool IsSupervisor => IsStaff && Roles.Any(Auth.Roles.Supervisors.Contains);

    /// <summary>How senior the caller is among staff (<see cref="Auth.Roles.Seniority"/>); 0 for anyone else.</summary>
    public int Seniority => IsStaff ? Auth.Roles.Seniority(Roles) : 0;

    /// <summary>The caller of <paramref name="user"/>; only an authenticated staff member, channel or borrower is one.</summary>
    public static CurrentCaller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true || user.Kind() is not (Caller.Staff or Caller.Channel or Caller.Borrower) || !Guid.TryParse(user.Id(), out var id))
        {
            throw new InvalidOperationException("The endpoint needs an authenticated staff member, channel or borrower.");
        }

        return new CurrentCaller(user.Kind()!, id, user.Roles());
    }
}
