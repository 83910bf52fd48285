using HeadlessLoan.Domain.Privacy;

namespace HeadlessLoan.Domain.Tests.Privacy;

public sealed class MaskTests
{
    [Fact]
    public void Id_number_shows_first_four_and_last_four()
    {
        Assert.Equal("1101**********002X", Mask.IdNumber("11010519491231002X"));
    }

    [Fact]
    public void Card_number_shows_first_six_and_last_four()
    {
        Assert.Equal("622202******1234", Mask.CardNumber("6222020000001234"));
        Assert.Equal("622202*********5679", Mask.CardNumber("6222020200112345679"));
    }

    [Fact]
    public void Phone_shows_first_three_and_last_four()
    {
        Assert.Equal("138****5678", Mask.Phone("13812345678"));
    }

    [Theory]
    [InlineData("张三丰", "张**")]
    [InlineData("李四", "李*")]
    [InlineData("欧阳娜娜", "欧***")]
    [InlineData("𠮷野家", "𠮷**")] // a character outside the BMP counts once
    [InlineData("张", "*")]
    [InlineData("", "")]
    public void Name_shows_only_the_first_character(string name, string expected)
    {
        Assert.Equal(expected, Mask.Name(name));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("1", "*")]
    [InlineData("1234567", "*******")]
    [InlineData("12345678901", "***********")]
    public void Short_id_numbers_are_masked_entirely(string value, string expected)
    {
        Assert.Equal(expected, Mask.IdNumber(value));
    }

    [Fact]
    public void Short_values_never_throw_and_reveal_nothing()
    {
        Assert.Equal("*********", Mask.CardNumber("622202123"));
        Assert.Equal("*****", Mask.Phone("13812"));
        Assert.Equal("", Mask.Phone(null!));
        Assert.Equal("", Mask.Name(null!));
    }
}
