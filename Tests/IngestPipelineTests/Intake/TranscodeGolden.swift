import Foundation

/// The parts `CallPart.parts` made on main (the three passes, before the one pass) for `TranscodeRequests.golden`,
/// with `TranscodeRequests.now` as the receive time: routing key, events, JSON in base64 (split into lines).
/// Generated from main's sources by running the three passes on these requests; never edit by hand.
enum TranscodeGolden {
    static let parts: [String: [(routingKey: String, events: Int, base64: [String])]] = [
        "mixed": [
            (
                "app.open", 2,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6LTkyMjMzNzIwMzY4NTQ3NzU4MDgsInNlc3Npb25JZCI6InNl",
                    "c3MtXCJxdW90ZWRcIlxcIiwiZGV2aWNlSWQiOiJkZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAw",
                    "LThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIsImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRo",
                    "ZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9u",
                    "IjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIiLCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9z",
                    "dGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVmZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6IiIs",
                    "InV0bU1lZGl1bSI6IiIsInV0bUNhbXBhaWduIjoiR3LDvMOfZSDigJQg5aSP44Gu44K744O844OrIPCfjolcdTAwMDFcbiIs",
                    "InBwSWQiOiIifSwicmVjZWl2ZWRBdCI6MTgwMDAwMDAwMDAwMCwiZXZlbnRzIjpbeyJpZCI6ImNmYWZlNmJlLWU4MTgtODE2",
                    "Zi1hZWQwLTA0ZGM3YjlhZjliMiIsInR5cGUiOiJhcHAub3BlbiIsInRpbWVzdGFtcCI6MTcxNzE3MTcxNzE3MSwib3JpZ2lu",
                    "YWxUaW1lc3RhbXAiOjE3MTcxNzE3MTcxNzEsInRpbWVzdGFtcENvcnJlY3RlZCI6ZmFsc2UsImN1cnJlbnRVUkwiOiJodHRw",
                    "czovL3Nob3AuZXhhbXBsZS8iLCJhdHRyaWJ1dGVzIjp7InMiOiJ4XCJ5fyIsImkiOi00MiwiZCI6MC4xLCJ6IjotMC4wLCJl",
                    "IjoxZSszMDAsImIiOmZhbHNlfSwiZXhwZXJpbWVudElkcyI6WzEsLTEsOTIyMzM3MjAzNjg1NDc3NTgwNywtOTIyMzM3MjAz",
                    "Njg1NDc3NTgwOF19LHsiaWQiOiJnaXZlbi0yIiwidHlwZSI6ImFwcC5vcGVuIiwidGltZXN0YW1wIjoxNzAwMDAwMDAwMDAx",
                    "LCJvcmlnaW5hbFRpbWVzdGFtcCI6MTcwMDAwMDAwMDAwMSwidGltZXN0YW1wQ29ycmVjdGVkIjpmYWxzZSwiY3VycmVudFVS",
                    "TCI6IiIsImF0dHJpYnV0ZXMiOnt9LCJleHBlcmltZW50SWRzIjpbN119XX0=",
                ]
            ),
            (
                "log.trace", 1,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6LTkyMjMzNzIwMzY4NTQ3NzU4MDgsInNlc3Npb25JZCI6InNl",
                    "c3MtXCJxdW90ZWRcIlxcIiwiZGV2aWNlSWQiOiJkZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAw",
                    "LThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIsImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRo",
                    "ZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9u",
                    "IjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIiLCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9z",
                    "dGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVmZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6IiIs",
                    "InV0bU1lZGl1bSI6IiIsInV0bUNhbXBhaWduIjoiR3LDvMOfZSDigJQg5aSP44Gu44K744O844OrIPCfjolcdTAwMDFcbiIs",
                    "InBwSWQiOiIifSwicmVjZWl2ZWRBdCI6MTgwMDAwMDAwMDAwMCwiZXZlbnRzIjpbeyJpZCI6ImdpdmVuLTEiLCJ0eXBlIjoi",
                    "bG9nLnRyYWNlIiwidGltZXN0YW1wIjoxODAwMDAwMDAwMDAwLCJvcmlnaW5hbFRpbWVzdGFtcCI6MTkwMDAwMDAwMDAwMCwi",
                    "dGltZXN0YW1wQ29ycmVjdGVkIjp0cnVlLCJjdXJyZW50VVJMIjoiIiwiYXR0cmlidXRlcyI6e30sImV4cGVyaW1lbnRJZHMi",
                    "OltdfV19",
                ]
            ),
            (
                "app.event", 2,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6LTkyMjMzNzIwMzY4NTQ3NzU4MDgsInNlc3Npb25JZCI6InNl",
                    "c3MtXCJxdW90ZWRcIlxcIiwiZGV2aWNlSWQiOiJkZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAw",
                    "LThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIsImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRo",
                    "ZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9u",
                    "IjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIiLCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9z",
                    "dGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVmZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6IiIs",
                    "InV0bU1lZGl1bSI6IiIsInV0bUNhbXBhaWduIjoiR3LDvMOfZSDigJQg5aSP44Gu44K744O844OrIPCfjolcdTAwMDFcbiIs",
                    "InBwSWQiOiIifSwicmVjZWl2ZWRBdCI6MTgwMDAwMDAwMDAwMCwiZXZlbnRzIjpbeyJpZCI6ImJiZGUzY2ExLTQyYzUtODBj",
                    "NC05OWIzLWY4MmZmMjlkNGYxMCIsInR5cGUiOiJhcHAuZXZlbnQiLCJ0aW1lc3RhbXAiOjE3MDAwMDAwMDAwMDAsIm9yaWdp",
                    "bmFsVGltZXN0YW1wIjoxNzAwMDAwMDAwMDAwLCJ0aW1lc3RhbXBDb3JyZWN0ZWQiOmZhbHNlLCJjdXJyZW50VVJMIjoiIiwi",
                    "YXR0cmlidXRlcyI6eyJrIjoiIn0sImV4cGVyaW1lbnRJZHMiOltdfSx7ImlkIjoiODgxNjg5NmItNjMyZC04ZGJkLTg1YzQt",
                    "Njg1MTZmZjM1YjBiIiwidHlwZSI6ImFwcC5ldmVudCIsInRpbWVzdGFtcCI6MTcwMDAwMDAwMDAwMiwib3JpZ2luYWxUaW1l",
                    "c3RhbXAiOjE3MDAwMDAwMDAwMDIsInRpbWVzdGFtcENvcnJlY3RlZCI6ZmFsc2UsImN1cnJlbnRVUkwiOiIiLCJhdHRyaWJ1",
                    "dGVzIjp7fSwiZXhwZXJpbWVudElkcyI6W119XX0=",
                ]
            ),
        ],
        "single": [
            (
                "app.open", 1,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6MCwidXNlcklkIjowLCJzZXNzaW9uSWQiOiIiLCJkZXZpY2VJZCI6ImQtMSIsImFu",
                    "ZHJvaWRBZHZlcnRpc2luZ0lkIjoiIiwiY2xpZW50SWQiOiIiLCJjaGFubmVsIjoiIiwib3MiOiIiLCJjbGllbnRUeXBlIjoi",
                    "IiwiYXBwTGFuZ3VhZ2UiOiIiLCJhcHBWZXJzaW9uIjoiIiwiYXBwVmVyc2lvbkNvZGUiOiIiLCJjdXJyZW50VVJMIjoiIiwi",
                    "bWVyY2hhbnRJZCI6IiIsInV0bVJlZmVycmVyIjoiIiwidXRtUGxhdGZvcm0iOiIiLCJ1dG1Tb3VyY2UiOiIiLCJ1dG1NZWRp",
                    "dW0iOiIiLCJ1dG1DYW1wYWlnbiI6IiIsInBwSWQiOiIifSwicmVjZWl2ZWRBdCI6MTgwMDAwMDAwMDAwMCwiZXZlbnRzIjpb",
                    "eyJpZCI6Ijc5NDkwYjhkLTY3ZTctOGEwNS05ZTgzLTA1NTMzNzA1MTJlMSIsInR5cGUiOiJhcHAub3BlbiIsInRpbWVzdGFt",
                    "cCI6MTcwMDAwMDAwMDAwMCwib3JpZ2luYWxUaW1lc3RhbXAiOjE3MDAwMDAwMDAwMDAsInRpbWVzdGFtcENvcnJlY3RlZCI6",
                    "ZmFsc2UsImN1cnJlbnRVUkwiOiIiLCJhdHRyaWJ1dGVzIjp7fSwiZXhwZXJpbWVudElkcyI6W119XX0=",
                ]
            )
        ],
        "concatenated": [
            (
                "app.open", 2,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6NSwic2Vzc2lvbklkIjoic2Vjb25kIiwiZGV2aWNlSWQiOiJk",
                    "ZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAwLThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIs",
                    "ImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRoZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50",
                    "VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9uIjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIi",
                    "LCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9zdGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVm",
                    "ZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6Im1haWwiLCJ1dG1NZWRpdW0iOiIiLCJ1dG1DYW1wYWln",
                    "biI6Ikdyw7zDn2Ug4oCUIOWkj+OBruOCu+ODvOODqyDwn46JXHUwMDAxXG4iLCJwcElkIjoiIn0sInJlY2VpdmVkQXQiOjE4",
                    "MDAwMDAwMDAwMDAsImV2ZW50cyI6W3siaWQiOiI1MTc1MjZhYi1lZWMxLThmYzktYjM3NS0xMTFiZWQ5NzkxZWQiLCJ0eXBl",
                    "IjoiYXBwLm9wZW4iLCJ0aW1lc3RhbXAiOjE3MTcxNzE3MTcxNzEsIm9yaWdpbmFsVGltZXN0YW1wIjoxNzE3MTcxNzE3MTcx",
                    "LCJ0aW1lc3RhbXBDb3JyZWN0ZWQiOmZhbHNlLCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvIiwiYXR0cmli",
                    "dXRlcyI6eyJzIjoieFwieX8iLCJpIjotNDIsImQiOjAuMSwieiI6LTAuMCwiZSI6MWUrMzAwLCJiIjpmYWxzZX0sImV4cGVy",
                    "aW1lbnRJZHMiOlsxLC0xLDkyMjMzNzIwMzY4NTQ3NzU4MDcsLTkyMjMzNzIwMzY4NTQ3NzU4MDhdfSx7ImlkIjoiZ2l2ZW4t",
                    "MiIsInR5cGUiOiJhcHAub3BlbiIsInRpbWVzdGFtcCI6MTcwMDAwMDAwMDAwMSwib3JpZ2luYWxUaW1lc3RhbXAiOjE3MDAw",
                    "MDAwMDAwMDEsInRpbWVzdGFtcENvcnJlY3RlZCI6ZmFsc2UsImN1cnJlbnRVUkwiOiIiLCJhdHRyaWJ1dGVzIjp7fSwiZXhw",
                    "ZXJpbWVudElkcyI6WzddfV19",
                ]
            ),
            (
                "log.trace", 1,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6NSwic2Vzc2lvbklkIjoic2Vjb25kIiwiZGV2aWNlSWQiOiJk",
                    "ZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAwLThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIs",
                    "ImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRoZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50",
                    "VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9uIjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIi",
                    "LCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9zdGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVm",
                    "ZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6Im1haWwiLCJ1dG1NZWRpdW0iOiIiLCJ1dG1DYW1wYWln",
                    "biI6Ikdyw7zDn2Ug4oCUIOWkj+OBruOCu+ODvOODqyDwn46JXHUwMDAxXG4iLCJwcElkIjoiIn0sInJlY2VpdmVkQXQiOjE4",
                    "MDAwMDAwMDAwMDAsImV2ZW50cyI6W3siaWQiOiJnaXZlbi0xIiwidHlwZSI6ImxvZy50cmFjZSIsInRpbWVzdGFtcCI6MTgw",
                    "MDAwMDAwMDAwMCwib3JpZ2luYWxUaW1lc3RhbXAiOjE5MDAwMDAwMDAwMDAsInRpbWVzdGFtcENvcnJlY3RlZCI6dHJ1ZSwi",
                    "Y3VycmVudFVSTCI6IiIsImF0dHJpYnV0ZXMiOnt9LCJleHBlcmltZW50SWRzIjpbXX1dfQ==",
                ]
            ),
            (
                "app.event", 2,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6NSwic2Vzc2lvbklkIjoic2Vjb25kIiwiZGV2aWNlSWQiOiJk",
                    "ZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAwLThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIs",
                    "ImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRoZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50",
                    "VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9uIjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIi",
                    "LCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9zdGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVm",
                    "ZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6Im1haWwiLCJ1dG1NZWRpdW0iOiIiLCJ1dG1DYW1wYWln",
                    "biI6Ikdyw7zDn2Ug4oCUIOWkj+OBruOCu+ODvOODqyDwn46JXHUwMDAxXG4iLCJwcElkIjoiIn0sInJlY2VpdmVkQXQiOjE4",
                    "MDAwMDAwMDAwMDAsImV2ZW50cyI6W3siaWQiOiI1YTZiZGIxNC1lZmFkLTg0NTQtODE0OS0yNzM5NmNmMDQ4YTgiLCJ0eXBl",
                    "IjoiYXBwLmV2ZW50IiwidGltZXN0YW1wIjoxNzAwMDAwMDAwMDAwLCJvcmlnaW5hbFRpbWVzdGFtcCI6MTcwMDAwMDAwMDAw",
                    "MCwidGltZXN0YW1wQ29ycmVjdGVkIjpmYWxzZSwiY3VycmVudFVSTCI6IiIsImF0dHJpYnV0ZXMiOnsiayI6IiJ9LCJleHBl",
                    "cmltZW50SWRzIjpbXX0seyJpZCI6ImNhMDZiNzVkLTVlNjktODRhYi05N2NlLThhYWQzNjc3MzQxMiIsInR5cGUiOiJhcHAu",
                    "ZXZlbnQiLCJ0aW1lc3RhbXAiOjE3MDAwMDAwMDAwMDIsIm9yaWdpbmFsVGltZXN0YW1wIjoxNzAwMDAwMDAwMDAyLCJ0aW1l",
                    "c3RhbXBDb3JyZWN0ZWQiOmZhbHNlLCJjdXJyZW50VVJMIjoiIiwiYXR0cmlidXRlcyI6e30sImV4cGVyaW1lbnRJZHMiOltd",
                    "fV19",
                ]
            ),
            (
                "log.post", 1,
                [
                    "eyJoZWFkZXIiOnsiYmJEZXZpY2VJZCI6LTEsInVzZXJJZCI6NSwic2Vzc2lvbklkIjoic2Vjb25kIiwiZGV2aWNlSWQiOiJk",
                    "ZXZpY2UtNDIiLCJhbmRyb2lkQWR2ZXJ0aXNpbmdJZCI6IjM4NDAwMDAwLThjZjAtMTFiZC1iMjNlLTEwYjk2ZTQwMDAwZCIs",
                    "ImNsaWVudElkIjoiYW5kcm9pZC1hcHAiLCJjaGFubmVsIjoidGFiXHRoZXJlIiwib3MiOiJBbmRyb2lkIDE0IiwiY2xpZW50",
                    "VHlwZSI6IiIsImFwcExhbmd1YWdlIjoiZGUtREUiLCJhcHBWZXJzaW9uIjoiNS4xMi4wIiwiYXBwVmVyc2lvbkNvZGUiOiIi",
                    "LCJjdXJyZW50VVJMIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvY2FydD9zdGVwPTIiLCJtZXJjaGFudElkIjoiIiwidXRtUmVm",
                    "ZXJyZXIiOiIiLCJ1dG1QbGF0Zm9ybSI6IiIsInV0bVNvdXJjZSI6Im1haWwiLCJ1dG1NZWRpdW0iOiIiLCJ1dG1DYW1wYWln",
                    "biI6Ikdyw7zDn2Ug4oCUIOWkj+OBruOCu+ODvOODqyDwn46JXHUwMDAxXG4iLCJwcElkIjoiIn0sInJlY2VpdmVkQXQiOjE4",
                    "MDAwMDAwMDAwMDAsImV2ZW50cyI6W3siaWQiOiJmcm9tLXNlY29uZCIsInR5cGUiOiJsb2cucG9zdCIsInRpbWVzdGFtcCI6",
                    "MTcwMDAwMDAwMDAwMywib3JpZ2luYWxUaW1lc3RhbXAiOjE3MDAwMDAwMDAwMDMsInRpbWVzdGFtcENvcnJlY3RlZCI6ZmFs",
                    "c2UsImN1cnJlbnRVUkwiOiIiLCJhdHRyaWJ1dGVzIjp7fSwiZXhwZXJpbWVudElkcyI6W119XX0=",
                ]
            ),
        ],
    ]

    /// The JSON of the parts of request `name`.
    static func json(_ name: String) -> [(routingKey: String, events: Int, json: [UInt8])]? {
        parts[name]?.map { part in
            (part.routingKey, part.events, [UInt8](Data(base64Encoded: part.base64.joined()) ?? Data()))
        }
    }
}
