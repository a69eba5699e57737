using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using Xunit;

namespace KdDsl.Tests.Data;

public class CsvDataTests
{
    private static string Write(TempDirectory dir, string name, string text)
    {
        string path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Header_string_labels_are_sorted_classes_and_map_back()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "iris.csv", "sepal,petal,species\n1.5,2,versicolor\n-3,4.25,setosa\n5,6e-1,virginica\n7,8,setosa\n");
        using var set = CsvData.Load(path, new CsvOptions { LabelColumn = "species" });
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, set.ClassNames);
        Assert.False(set.IntegerLabels);
        Assert.Equal(new[] { "sepal", "petal" }, set.FeatureNames);
        Assert.Equal(3, set.Data.ClassCount);
        Assert.Equal(new long[] { 4, 2 }, set.Data.Features.shape);
        Assert.Equal(new[] { 1.5f, 2f, -3f, 4.25f, 5f, 0.6f, 7f, 8f }, set.Data.Features.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 0, 2, 0 }, set.Data.Labels.data<long>().ToArray());
        Assert.Equal("virginica", set.ClassName(2));
        Assert.Equal(1, set.ClassIndex("versicolor"));
        Assert.Throws<DatasetException>(() => set.ClassIndex("unknown"));
    }

    [Theory]
    [InlineData('\t')]
    [InlineData(';')]
    public void No_header_other_separators_label_by_index_integer_labels_as_they_are(char separator)
    {
        using var dir = new TempDirectory();
        string s = separator.ToString();
        string path = Write(dir, "data.txt", string.Join("\n", $"3{s}0.5{s}1", $"0{s}1.5{s}2", $"2{s}2.5{s}3") + "\n");
        using var set = CsvData.Load(path, new CsvOptions { Separator = separator, HasHeader = false, LabelColumnIndex = 0 });
        Assert.True(set.IntegerLabels);
        Assert.Equal(new long[] { 3, 0, 2 }, set.Data.Labels.data<long>().ToArray());
        Assert.Equal(4, set.Data.ClassCount);
        Assert.Equal(new[] { "0", "1", "2", "3" }, set.ClassNames);
        Assert.Equal(new[] { "column 1", "column 2" }, set.FeatureNames);
        Assert.Equal(new[] { 0.5f, 1f, 1.5f, 2f, 2.5f, 3f }, set.Data.Features.data<float>().ToArray());
    }

    [Fact]
    public void Chosen_feature_subset_by_name_and_by_index_keeps_the_given_order()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "d.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n");
        using var byName = CsvData.Load(path, new CsvOptions { FeatureColumns = ["c", "a"] });
        Assert.Equal(new[] { 3f, 1f, 6f, 4f }, byName.Data.Features.data<float>().ToArray());
        using var byIndex = CsvData.Load(path, new CsvOptions { FeatureColumnIndices = [1] });
        Assert.Equal(new[] { 2f, 5f }, byIndex.Data.Features.data<float>().ToArray());
        Assert.Equal(new[] { "b" }, byIndex.FeatureNames);
    }

    [Fact]
    public void Non_numeric_value_names_file_line_and_column()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "bad.csv", "x1,x2,label\n1,2,a\n3,oops,b\n");
        var e = Assert.Throws<DatasetException>(() => CsvData.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'x2' (index 1)", e.Message);
        Assert.Contains("'oops'", e.Message);
    }

    [Fact]
    public void Missing_value_names_file_line_and_column()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "gap.csv", "x1,x2,label\n1,2,a\n3,4,b\n,5,a\n");
        var e = Assert.Throws<DatasetException>(() => CsvData.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("'x1' (index 0)", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Line_numbers_count_blank_lines_and_the_header()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "blank.csv", "a,b,y\n1,2,0\n\n3,x,1\n");
        var e = Assert.Throws<DatasetException>(() => CsvData.Load(path));
        Assert.Contains("line 4", e.Message);
        Assert.Contains("'b' (index 1)", e.Message);
    }

    [Fact]
    public void Spaces_around_values_are_ignored_and_an_empty_tsv_field_is_missing()
    {
        using var dir = new TempDirectory();
        using var spaced = CsvData.Load(Write(dir, "spaced.csv", "a, b, y\n1, 2.5, cat\n 3 ,4, dog\n"));
        Assert.Equal(new[] { "a", "b" }, spaced.FeatureNames);
        Assert.Equal(new[] { 1f, 2.5f, 3f, 4f }, spaced.Data.Features.data<float>().ToArray());
        Assert.Equal(new[] { "cat", "dog" }, spaced.ClassNames);
        var e = Assert.Throws<DatasetException>(() =>
            CsvData.Load(Write(dir, "gap.tsv", "a\tb\ty\n1\t2\t0\n3\t\t1\n"), new CsvOptions { Separator = '\t' }));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'b' (index 1)", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Short_row_is_a_missing_value()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "short.csv", "1,2,0\n3\n");
        var e = Assert.Throws<DatasetException>(() => CsvData.Load(path, new CsvOptions { HasHeader = false, LabelColumnIndex = 2 }));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("index 1", e.Message);
    }

    [Fact]
    public void Unknown_label_column_lists_the_columns()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "d.csv", "a,b\n1,0\n2,1\n");
        var e = Assert.Throws<DatasetException>(() => CsvData.Load(path, new CsvOptions { LabelColumn = "target" }));
        Assert.Contains("'target'", e.Message);
        Assert.Contains("'a', 'b'", e.Message);
    }
}

public class CsvDataFormatTests
{
    [Fact]
    public void Crlf_bom_quotes_and_blank_trailing_line()
    {
        using var dir = new TempDirectory();
        string path = dir.File("excel.csv");
        File.WriteAllText(path, "\"f 1\",f2,kind\r\n\"1.5\",2,\"b\"\r\n3,4,a\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        using var set = CsvData.Load(path);
        Assert.Equal(new[] { "f 1", "f2" }, set.FeatureNames);
        Assert.Equal(new[] { 1.5f, 2f, 3f, 4f }, set.Data.Features.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, set.Data.Labels.data<long>().ToArray());
    }
}

/// <summary>The README's "Your own data" flow: CSV, stratified split, standardisation fitted on train, saved and reloaded.</summary>
public class OwnDataReadmeFlowTests
{
    [Fact]
    public void Csv_split_standardise_save_load()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("measurements.csv");
        var lines = new System.Collections.Generic.List<string> { "x,y,species" };
        for (int i = 0; i < 40; i++) lines.Add($"{i},{i * 2 % 7},{(i % 4 == 0 ? "rare" : "common")}");
        File.WriteAllLines(csv, lines);
        using var all = CsvData.Load(csv);
        Assert.Equal(new[] { "common", "rare" }, all.ClassNames);
        using var splits = StratifiedSplit.Split(all.Data, testFraction: 0.2, validationFraction: 0.1, seed: 42);
        Assert.Equal(2, splits.Test.Labels.data<long>().ToArray().Count(l => l == 1)); // 10 rare x 0.2
        var standardizer = Standardizer.Fit(splits.Train);
        using var train = standardizer.Apply(splits.Train);
        using var test = standardizer.Apply(splits.Test);
        using var validation = standardizer.Apply(splits.Validation!);
        using var ready = new DatasetSplits(train, test, validation).Validate();
        float[] trainMean = train.Features.mean([0]).data<float>().ToArray();
        Assert.All(trainMean, m => Assert.True(Math.Abs(m) < 1e-5));
        string json = dir.File("standardizer.json");
        standardizer.Save(json);
        using var again = Standardizer.Load(json).Apply(splits.Test.Features);
        Assert.Equal(test.Features.data<float>().ToArray(), again.data<float>().ToArray());
    }
}
