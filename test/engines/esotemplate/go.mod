module esotemplate

go 1.19

require github.com/Masterminds/sprig/v3 v3.2.3
