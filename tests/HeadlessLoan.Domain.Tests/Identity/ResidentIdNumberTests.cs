using HeadlessLoan.Domain.Identity;

namespace HeadlessLoan.Domain.Tests.Identity;

public sealed class ResidentIdNumberTests
{
    private static readonly DateOnly Today = new(2025, 6, 15);

    [Fact]
    public void Standard_example_is_valid_and_parsed()
    {
        IdCheck check = ResidentIdNumber.Check("11010519491231002X", Today);

        Assert.Null(check.ErrorCode);
        ResidentIdNumber id = Assert.IsType<ResidentIdNumber>(check.Id);
        Assert.Equal("11010519491231002X", id.Value);
        Assert.Equal("110105", id.RegionCode);
        Assert.Equal(new DateOnly(1949, 12, 31), id.BirthDate);
        Assert.False(id.IsMale);
    }

    [Fact]
    public void Odd_sequence_digit_means_male()
    {
        IdCheck check = ResidentIdNumber.Check("44030419900307123X", Today);

        Assert.True(check.Id?.IsMale);
    }

    [Fact]
    public void Lowercase_x_is_accepted_and_normalised()
    {
        IdCheck check = ResidentIdNumber.Check("11010519491231002x", Today);

        Assert.Null(check.ErrorCode);
        Assert.Equal("11010519491231002X", check.Id?.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("11010519491231002")]
    [InlineData("11010519491231002X0")]
    [InlineData("1101051949123100XX")]
    [InlineData("11010519491231002Y")]
    [InlineData("１1010519491231002X")]
    [InlineData(" 11010519491231002X")]
    public void Wrong_shape_is_a_format_error(string? input)
    {
        Assert.Equal(new IdCheck(null, "id_format_invalid"), ResidentIdNumber.Check(input, Today));
    }

    [Theory]
    [InlineData("110105194912310021")]
    [InlineData("110105194912310020")]
    [InlineData("110105194912310120")]
    public void Wrong_check_character_is_a_checksum_error(string input)
    {
        Assert.Equal("id_checksum_invalid", ResidentIdNumber.Check(input, Today).ErrorCode);
    }

    [Theory]
    [InlineData("110105194902300020")] // 30 February
    [InlineData("110105194913310021")] // month 13
    [InlineData("110105190102290022")] // 1901 was not a leap year
    [InlineData("110105189912310015")] // before 1900
    [InlineData("110105202506160035")] // tomorrow
    [InlineData("11010520300101001X")] // 2030
    public void Impossible_or_future_birth_date_is_a_birth_date_error(string input)
    {
        Assert.Equal("id_birth_date_invalid", ResidentIdNumber.Check(input, Today).ErrorCode);
    }

    [Theory]
    [InlineData("11010520250615003X")] // born today
    [InlineData("11010519000101001X")] // the earliest date accepted
    [InlineData("110105200002290013")] // 29 February 2000
    public void Boundary_birth_dates_are_accepted(string input)
    {
        Assert.Null(ResidentIdNumber.Check(input, Today).ErrorCode);
    }

    [Theory]
    [InlineData("990105194912310023")]
    [InlineData("910105194912310029")]
    public void Unknown_province_is_a_region_error(string input)
    {
        Assert.Equal("id_region_invalid", ResidentIdNumber.Check(input, Today).ErrorCode);
    }

    [Theory]
    [InlineData(2025, 12, 30, 75)]
    [InlineData(2025, 12, 31, 76)]
    [InlineData(1949, 12, 31, 0)]
    public void Age_counts_completed_years(int year, int month, int day, int expected)
    {
        ResidentIdNumber id = ResidentIdNumber.Check("11010519491231002X", Today).Id!;

        Assert.Equal(expected, id.AgeOn(new DateOnly(year, month, day)));
    }

    [Fact]
    public void Leap_day_birthday_is_reached_on_the_first_of_march_in_common_years()
    {
        ResidentIdNumber id = ResidentIdNumber.Check("110105200002290013", Today).Id!;

        Assert.Equal(24, id.AgeOn(new DateOnly(2025, 2, 28)));
        Assert.Equal(25, id.AgeOn(new DateOnly(2025, 3, 1)));
        Assert.Equal(24, id.AgeOn(new DateOnly(2024, 2, 29)));
    }
}
