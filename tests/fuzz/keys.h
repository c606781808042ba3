/*
 * keys.h: fixed test keys of the fuzz targets (made for them; never used
 * anywhere else), so that a corpus may hold JWSs that verify.
 */
#ifndef OIDCGI_FUZZ_KEYS_H
#define OIDCGI_FUZZ_KEYS_H

static const char *const fuzz_jwks[] = {
	"{\"d\":\"P-XGxGxFg0krUu7QEaJHNPCvoqlr9pEUXBO9Tf0Y6XwcJOEOy6M"
	    "RQ3wdJcxUF87P90gGekDl-ABjlKnYQq_10ecOeed8ZHdi_EHdt9TFrTz1HnY"
	    "tSyj_Zm5RcK6zU7JogvfWoNfwrThBfbTGTmGvNGgT5rX2Bivq-jJdiN8vKcK"
	    "80Tx7rF3v-dA2-hgzeZZavlbZx8IRwsmmV4e7CM4ipULUHZwbRWtCZ8nz8tp"
	    "MMlE6Gy-eOLTBtrnEXXUeENGrDqbhKjmvO6aU9HZoDL8VjJiYb9KWGRZ4PPZ"
	    "4M-DLVJjSiu4E_ib-PG6zIuBwLlS6LTEIoo49gR8rmEBIbpCkQQ\",\"dp\""
	    ":\"YrxEt50Lkx2_kjeM8ziib3Tjv_KjPmQm-x6rYi12MWvethKFBhtVEcAfT"
	    "wofNpwDfNtDXbx5b_W7ziCxpZRIZHC1fNpqQJluc3y-HpQKypkdQds2nAJ3V"
	    "Na5jfD8sHQsY3UKw-tBBdrxkXIZXMgBbCBI0Ddtl5BKMG4k96Q-Eak\",\"d"
	    "q\":\"kZzEg6GyawxDgSS7WyqPk78_913X1nsv-huj9BzKcIfRagD2exegkh"
	    "nxMxgTgVYeCWC85axgY7ecKoVsQnDBNfwntYdHqPu2ZjSzwsMin_2B1I-xIn"
	    "V0ggvQhgbRAJGogSm9BEp1h_hhiq4DCC82qM1ekxe-LwhOD1L0E7MG6Dk\","
	    "\"e\":\"AQAB\",\"kid\":\"rsa\",\"kty\":\"RSA\",\"n\":\"xR8rp"
	    "jA5pOH0GGp3Qbo2v3TZJDZa6JYixHjPe0fzvVlixwo3AbWiqe2YMj5-DKn0_"
	    "KyJHQ7lpPmh393WBclxDkc_NEZB_N09Z6TsHPN8Vjd15Qvze89Y1EDgzSYUX"
	    "rzPI9F0zSE6uUyTwyX7syqIfBAaZmc1gXIC3pBo1G8nZG8qVkJu1jc6UUUGh"
	    "h6DnKeYPw5VZFS4lhvVY1DiI4ZrAbF9HXbMe1JAfAMCBTZh6As8DO8RVTEwW"
	    "y4Irsg31J9iDwMTNFQZVBwQmXavws2YVZCfx1gLukxQS79XpO5Xr-3ts381y"
	    "EzfO59-gIngOlYctu7OSZM6k6D1mthE0E7JPw\",\"p\":\"-QWAdPp3EiZ3"
	    "5YJ1rY5EWlq6RGAlXkk2caW5BBjKdsY9b3xUxXlHIY6nuqg7gyZftZYseyV6"
	    "ZMawhhuucv1tqv1PSwpde_ZqJxqWE4IbZPh2QFZOgvEHUCUvSRibM0mNYU0N"
	    "rIkRa0vI1WM0w-hMaYKigEsCj7eqVeRAVJSA9ak\",\"q\":\"yqVWFt2cb2"
	    "mbIlYL3z2_fwEV7s9PMiNOEgY1XC4A_FZhYe3eGbEhWA7N5-nxe3QMQuFD8Y"
	    "ZkracmkJxWaZ6Pa8YlilsYSkxSCATWh65E8pWR2k2SjIzE9eP2ncaWuw_mtF"
	    "zL3ggvly3pRY8LtegH9WkWrqTgAcZcXo0kMpK_SKc\",\"qi\":\"iL6fdr_"
	    "K7uFf6ly_lQcFXKz7OL-_RSr38q9zDnDcCpf_xfJ36lxFniz2WlejwGvAjEr"
	    "15OuzVADTMkYM5_RMHfYs9RRrKetwOGDFhQ-SPWAfTJ37vzDh7lVby9n4MwF"
	    "XAca3yEBNVxsLKRo4K78oi8FUsSYtxZcVs2A7V5o95GU\"}",
	"{\"crv\":\"P-256\",\"d\":\"pXhafRstLAPqfpKbTkzAGpkOWT80FasbJ"
	    "gA2unbdpi0\",\"kid\":\"ec\",\"kty\":\"EC\",\"x\":\"-doxa6ZBQ"
	    "vW94D8sVPs8Qe2RGVkHlE9RDYcSPvQ1RV8\",\"y\":\"IXRbX_vPgokiM9q"
	    "K8jcUU1s3WIcdpSoA1LB_8xEGGH4\"}",
	"{\"crv\":\"Ed25519\",\"d\":\"PdrfrtkRu-Be44uB8e1TpUJneAk_vc_"
	    "vks9gHlH1X2s\",\"kid\":\"ed\",\"kty\":\"OKP\",\"x\":\"6IH-2s"
	    "fPQI4rMInAAwgH_r_3d-jFONuxpy1DygLzHB4\"}",
	"{\"k\":\"XOiv4PuPHlmqa_IouFZgJospCVteG_wwqShPhDpxZbo\",\"kid"
	    "\":\"hs\",\"kty\":\"oct\"}",
};

#endif
