// Country calling codes for the country picker (ITU-T E.164 assignments).

export interface Country {
  iso: string
  name: string
  dial: string
}

export const COUNTRIES: readonly Country[] = [
  ['AR', 'Argentina', '+54'], ['AU', 'Australia', '+61'], ['AT', 'Austria', '+43'],
  ['BD', 'Bangladesh', '+880'], ['BE', 'Belgium', '+32'], ['BR', 'Brazil', '+55'],
  ['BG', 'Bulgaria', '+359'], ['CA', 'Canada', '+1'], ['CL', 'Chile', '+56'],
  ['CN', 'China', '+86'], ['CO', 'Colombia', '+57'], ['HR', 'Croatia', '+385'],
  ['CZ', 'Czechia', '+420'], ['DK', 'Denmark', '+45'], ['EG', 'Egypt', '+20'],
  ['EE', 'Estonia', '+372'], ['FI', 'Finland', '+358'], ['FR', 'France', '+33'],
  ['DE', 'Germany', '+49'], ['GR', 'Greece', '+30'], ['HK', 'Hong Kong', '+852'],
  ['HU', 'Hungary', '+36'], ['IS', 'Iceland', '+354'], ['IN', 'India', '+91'],
  ['ID', 'Indonesia', '+62'], ['IE', 'Ireland', '+353'], ['IL', 'Israel', '+972'],
  ['IT', 'Italy', '+39'], ['JP', 'Japan', '+81'], ['KE', 'Kenya', '+254'],
  ['LV', 'Latvia', '+371'], ['LT', 'Lithuania', '+370'], ['LU', 'Luxembourg', '+352'],
  ['MY', 'Malaysia', '+60'], ['MX', 'Mexico', '+52'], ['MA', 'Morocco', '+212'],
  ['NL', 'Netherlands', '+31'], ['NZ', 'New Zealand', '+64'], ['NG', 'Nigeria', '+234'],
  ['NO', 'Norway', '+47'], ['PK', 'Pakistan', '+92'], ['PE', 'Peru', '+51'],
  ['PH', 'Philippines', '+63'], ['PL', 'Poland', '+48'], ['PT', 'Portugal', '+351'],
  ['RO', 'Romania', '+40'], ['SA', 'Saudi Arabia', '+966'], ['RS', 'Serbia', '+381'],
  ['SG', 'Singapore', '+65'], ['SK', 'Slovakia', '+421'], ['SI', 'Slovenia', '+386'],
  ['ZA', 'South Africa', '+27'], ['KR', 'South Korea', '+82'], ['ES', 'Spain', '+34'],
  ['SE', 'Sweden', '+46'], ['CH', 'Switzerland', '+41'], ['TW', 'Taiwan', '+886'],
  ['TH', 'Thailand', '+66'], ['TR', 'Türkiye', '+90'], ['UA', 'Ukraine', '+380'],
  ['AE', 'United Arab Emirates', '+971'], ['GB', 'United Kingdom', '+44'],
  ['US', 'United States', '+1'], ['VN', 'Vietnam', '+84'],
].map(([iso, name, dial]) => ({ iso, name, dial }))
