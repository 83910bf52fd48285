using HeadlessLoan.Domain.Approvals;

namespace HeadlessLoan.Domain.Tests.Approvals;

public sealed class FourEyesTests
{
    private static readonly Guid Me = Guid.NewGuid();
    private static readonly string[] Blocking = ["family", "business"];

    private static FourEyesFacts Facts(string[]? roles = null, Guid? loanOfficer = null, string[]? relations = null, Guid[]? others = null) =>
        new(Me, roles ?? ["risk_officer"], "risk_officer", loanOfficer, relations ?? [], others ?? []);

    [Fact]
    public void AnUninvolvedHolderOfTheRoleMayDecide() =>
        Assert.Equal(FourEyesRefusal.None, FourEyes.Check(Facts(others: [Guid.NewGuid()], relations: ["other"]), Blocking));

    [Fact]
    public void EachRuleRefusesOnItsOwn()
    {
        Assert.Equal(FourEyesRefusal.RoleMismatch, FourEyes.Check(Facts(roles: ["dept_head"]), Blocking));
        Assert.Equal(FourEyesRefusal.OwnApplication, FourEyes.Check(Facts(relations: ["self"]), Blocking));
        Assert.Equal(FourEyesRefusal.LoanOfficer, FourEyes.Check(Facts(loanOfficer: Me), Blocking));
        Assert.Equal(FourEyesRefusal.RelatedParty, FourEyes.Check(Facts(relations: ["family"]), Blocking));
        Assert.Equal(FourEyesRefusal.AlreadyInvolved, FourEyes.Check(Facts(others: [Me]), Blocking));
    }

    [Fact]
    public void WhichRelationsBarIsConfiguredButSelfAlwaysBars()
    {
        Assert.Equal(FourEyesRefusal.None, FourEyes.Check(Facts(relations: ["family"]), []));
        Assert.Equal(FourEyesRefusal.OwnApplication, FourEyes.Check(Facts(relations: ["self"]), []));
    }

    [Fact]
    public void AnOverrideChecksThePartiesButNotTheStepRoleOrOtherTasks()
    {
        var facts = Facts(roles: ["dept_head"], others: [Me]);

        Assert.Equal(FourEyesRefusal.None, FourEyes.Check(facts, Blocking, checkRole: false, checkOtherTasks: false));
        Assert.Equal(FourEyesRefusal.LoanOfficer, FourEyes.Check(Facts(loanOfficer: Me), Blocking, checkRole: false, checkOtherTasks: false));
    }
}
