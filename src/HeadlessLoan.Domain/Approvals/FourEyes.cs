namespace HeadlessLoan.Domain.Approvals;

/// <summary>Why a member of staff may not take or decide an approval task.</summary>
public enum FourEyesRefusal
{
    None,

    /// <summary>The step needs a role the person does not hold.</summary>
    RoleMismatch,

    /// <summary>The person is the applicant (a relation of kind <c>self</c>).</summary>
    OwnApplication,

    /// <summary>The person is the application's loan officer.</summary>
    LoanOfficer,

    /// <summary>The person is related to the applicant by a relation kind that bars deciding.</summary>
    RelatedParty,

    /// <summary>The person already decided (or holds) another task of the same approval round.</summary>
    AlreadyInvolved,
}

/// <summary>The facts about one person and one application that the four-eyes rules judge.</summary>
/// <param name="RelationKinds">Kinds of the person's recorded relations to this applicant (<c>self</c>, <c>family</c>, …).</param>
/// <param name="OtherTaskHolders">Who decided or holds the round's other tasks.</param>
public sealed record FourEyesFacts(
    Guid StaffId,
    IReadOnlyCollection<string> StaffRoles,
    string TaskRole,
    Guid? LoanOfficerId,
    IReadOnlyCollection<string> RelationKinds,
    IReadOnlyCollection<Guid> OtherTaskHolders);

/// <summary>Nobody approves their own work: the rules a claim, a decision and a special approval must pass.</summary>
public static class FourEyes
{
    public const string SelfRelation = "self";

    /// <summary>The first rule broken, checked in a fixed order; <see cref="FourEyesRefusal.None"/> when the person may decide.</summary>
    /// <param name="blockingRelationKinds">Relation kinds that bar deciding (configuration); <c>self</c> always does.</param>
    public static FourEyesRefusal Check(FourEyesFacts facts, IReadOnlyCollection<string> blockingRelationKinds, bool checkRole = true, bool checkOtherTasks = true)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(blockingRelationKinds);
        if (checkRole && !facts.StaffRoles.Contains(facts.TaskRole, StringComparer.Ordinal))
        {
            return FourEyesRefusal.RoleMismatch;
        }

        if (facts.RelationKinds.Contains(SelfRelation, StringComparer.Ordinal))
        {
            return FourEyesRefusal.OwnApplication;
        }

        if (facts.LoanOfficerId == facts.StaffId)
        {
            return FourEyesRefusal.LoanOfficer;
        }

        if (facts.RelationKinds.Any(k => blockingRelationKinds.Contains(k, StringComparer.Ordinal)))
        {
            return FourEyesRefusal.RelatedParty;
        }

        return checkOtherTasks && facts.OtherTaskHolders.Contains(facts.StaffId) ? FourEyesRefusal.AlreadyInvolved : FourEyesRefusal.None;
    }
}
